"""Reading other agencies' files: dates as UK spreadsheets write them, police.uk months, stable row ids."""

from __future__ import annotations

from datetime import datetime

from casework.core.clock import LONDON
from casework.insight.imports import Incident, parse_when, police_uk_rows

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    "Last outcome category,Context\n"
)
ASB_ROW = (
    ",2026-10,Staffordshire Police,Staffordshire Police,-1.8,52.6,On or near Bird Street,E01,Lichfield 008B,"
    "Anti-social behaviour,,\n"
)


def test_dates_are_read_day_first_in_uk_time():
    assert parse_when("03/10/2026 22:15") == datetime(2026, 10, 3, 22, 15, tzinfo=LONDON)
    assert parse_when("2026-10-04") == datetime(2026, 10, 4, tzinfo=LONDON)
    assert parse_when("31/02/2026") is None and parse_when("") is None and parse_when("next Tuesday") is None


def test_asb_rows_get_the_same_ids_every_time_and_identical_rows_stay_distinct():
    text = HEADER + ASB_ROW + ASB_ROW
    first = [r.source_id for r in police_uk_rows(text, None) if isinstance(r, Incident)]
    again = [r.source_id for r in police_uk_rows(text, None) if isinstance(r, Incident)]
    assert first == again and len(set(first)) == 2


def test_a_crime_id_is_used_when_the_row_has_one_and_the_location_prefix_is_dropped():
    row = ASB_ROW.replace(",2026-10", "abc123,2026-10", 1)
    (incident,) = list(police_uk_rows(HEADER + row, None))
    assert isinstance(incident, Incident)
    assert (incident.source_id, incident.location, incident.occurred_at) == (
        "abc123",
        "Bird Street",
        datetime(2026, 10, 1, tzinfo=LONDON),
    )
