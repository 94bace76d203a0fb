"""Migration b1a0c0de0004: old Open311 updates get their sender; numbers that texted us are confirmed."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from casework.cli.migrate import downgrade, upgrade

WHEN = "2026-11-01 10:00:00+00:00"
KEYS = (
    "INSERT INTO api_keys (id, key_hash, label, agency_id, created_at) VALUES"
    " (3, 'h3', 'police system', 'staffs-police', :w), (4, 'h4', 'FixMyStreet', NULL, :w)"
)
CONTACT = (
    "INSERT INTO contacts (id, sender_id, channel, phone, sms_opted_out, number_invalid, created_at,"
    " updated_at) VALUES (:i, :s, 'sms', :p, false, false, :w, :w)"
)
INBOUND = (
    "INSERT INTO inbound_sms (message_sid, contact_id, body, num_media, status, reply, created_at)"
    " VALUES ('SM1', 1, 'hi', 0, 'answered', '[]', :w)"
)
REPORT = (
    "INSERT INTO reports (id, reference, asb_type, nsir_class, description, location_text, risk_level,"
    " risk_answers, risk_reasons, status, lead_agency, copied_agencies, routing_reasons, anonymous,"
    " wants_updates, channel, transcript, repeat_victim_count, repeat_location_count, hotspot,"
    " case_review_explained, case_review_eligible, reporter_role, hate, domestic_abuse, occurred_text,"
    " created_at, updated_at) VALUES (1, 'ASB-222223', 'noise', 'nuisance', 'd', 'x', 'standard', '{}',"
    " '[]', 'open', 'ldc', '[]', '[]', false, true, 'open311', '[]', 0, 0, false, false, false, 'victim',"
    " false, false, '', :w, :w)"
)
EVENT = (
    "INSERT INTO report_events (id, report_id, kind, public, body, data, actor, source, external_id,"
    " created_at) VALUES (:i, 1, 'open311_update', false, '', '{}', :a, 'open311', :x, :w)"
)


def test_existing_updates_get_their_sender_and_texting_numbers_are_confirmed(db_url: str) -> None:
    downgrade(db_url, "8e1f0c3a9b27")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text(KEYS), {"w": WHEN})
        for cid in (1, 2):
            conn.execute(text(CONTACT), {"i": cid, "s": f"sms-{cid}", "p": f"+44770090000{cid}", "w": WHEN})
        conn.execute(text(INBOUND), {"w": WHEN})
        conn.execute(text(REPORT), {"w": WHEN})
        for eid, actor in ((1, "open311:key3"), (2, "open311:key4"), (3, "open311:config")):
            conn.execute(text(EVENT), {"i": eid, "x": str(eid), "a": actor, "w": WHEN})
    upgrade(db_url)
    with engine.connect() as conn:
        senders = dict(conn.execute(text("SELECT id, sender FROM report_events")).all())
        confirmed = dict(conn.execute(text("SELECT id, phone_confirmed_at IS NOT NULL FROM contacts")).all())
    engine.dispose()
    assert senders == {1: "agency:staffs-police", 2: "key:key4", 3: "key:config"}
    assert confirmed == {1: True, 2: False}
