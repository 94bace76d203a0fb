"""Wire the parts together once per process: settings, database, clock, partnership."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from casework.core.clock import Clock, SystemClock
from casework.core.db import make_engine, make_session_factory, normalise_url
from casework.core.settings import ConfigurationError, Settings, get_settings

if TYPE_CHECKING:
    from casework.partnership import Partnership


@dataclass
class Services:
    """The process's shared services; entry points (webhook, notifier, scripts) build one each."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock = field(default_factory=SystemClock)

    @cached_property
    def partnership(self) -> Partnership:
        """The deployment's partnership, loaded and validated on first use."""
        from casework.partnership import load_partnership

        return load_partnership(self.settings.PARTNERSHIP)

    def check_configuration(self) -> None:
        """Load and validate the partnership now, so a bad file stops start-up with a clear error; in
        production also refuse referral endpoints that cannot be real, naming each agency."""
        partnership = self.partnership
        if self.settings.is_production and not self.settings.ALLOW_PLACEHOLDER_ENDPOINTS:
            from casework.partnership import placeholder_endpoints

            problems = placeholder_endpoints(partnership)
            if problems:
                raise ConfigurationError(
                    f"APP_ENV=production but partnerships/{self.settings.PARTNERSHIP}.yml sends referrals to "
                    "placeholder endpoints; set each agency's real address or URL:\n  "
                    + "\n  ".join(problems)
                )


def build_services(settings: Settings | None = None, *, clock: Clock | None = None) -> Services:
    """Create engine and session factory for the configured database (no connection made yet)."""
    settings = settings or get_settings()
    engine = make_engine(normalise_url(settings.DATABASE_URL))
    return Services(
        settings=settings, engine=engine, sessions=make_session_factory(engine), clock=clock or SystemClock()
    )
