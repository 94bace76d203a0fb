"""Referral endpoints that cannot be real: refused in production, naming the agency and the key to change.

The partnership files ship with development stand-ins (example.org addresses, loopback URLs) so a fresh
clone sends nothing real. A production deployment must point every agency's referral at its real address.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from casework.partnership.loader import Partnership

# RFC 2606 / RFC 6761 names that never reach a real recipient.
RESERVED_DOMAINS = ("example.org", "example.com", "example.net", "localhost")
RESERVED_TLDS = ("invalid", "test", "example", "localhost", "local")


def placeholder_reason(host: str) -> str | None:
    """Why a host name or address cannot be a real endpoint, or None when it could be."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if not host:
        return "no host"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if any(host == d or host.endswith("." + d) for d in RESERVED_DOMAINS):
            return "a reserved example domain"
        if host.rsplit(".", 1)[-1] in RESERVED_TLDS:
            return f"the reserved .{host.rsplit('.', 1)[-1]} domain"
        return None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_unspecified or ip.is_link_local:
        return "not a routable address"
    return None


def placeholder_endpoints(p: Partnership) -> list[str]:
    """One line per agency whose referral goes to a placeholder (email domain or URL host)."""
    problems = []
    for agency_id, agency in p.agencies.items():
        ref = agency.referral
        if ref.method == "email" and ref.address:
            host, key = ref.address.rsplit("@", 1)[-1], "address"
            value = ref.address
        elif ref.method in ("webhook", "open311") and ref.url:
            host, key, value = urlsplit(ref.url).hostname or "", "url", ref.url
        else:
            continue
        reason = placeholder_reason(host)
        if reason:
            problems.append(
                f"{agency.name} ({agency_id}): agencies.{agency_id}.referral.{key} {value!r} is {reason}"
            )
    return problems
