"""Importing official open data: the area only, idempotent, refusing files not in the published format."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from casework.core.bootstrap import Services
from casework.core.models import AuditEvent
from casework.core.place_models import PlaceImport, PlaceName, PlacePostcode, WardBoundary
from casework.places import FormatError, import_onspd, import_open_names, import_wards
from casework.places.cli import main
from tests.integration.places.conftest import FIXTURES, load_open_data


def _count(services: Services, model: Any) -> int:
    with services.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_only_the_partnerships_area_is_loaded(services: Services, expected: dict[str, Any]) -> None:
    load_open_data(services)
    lichfield_wards = [c for c, w in expected["wards"].items() if w["lad"] == "E07000194"]
    assert _count(services, WardBoundary) == len(lichfield_wards) == 22
    lichfield_postcodes = {p for p, v in expected["postcodes"].items() if v["lad"] == "E07000194"}
    # Live postcodes of the neighbours close by are kept too, so a sector that straddles the boundary
    # (B78 3: Fazeley and Tamworth) is known to; terminated ones are not.
    neighbours = {p for p, v in expected["postcodes"].items() if v["lad"] != "E07000194" and v["live"]}
    with services.sessions() as s:
        stored = dict(s.execute(select(PlacePostcode.postcode, PlacePostcode.lad_code)).all())
    assert {p for p, lad in stored.items() if lad == "E07000194"} == lichfield_postcodes
    assert {p for p, lad in stored.items() if lad != "E07000194"} == neighbours and len(neighbours) == 15
    with services.sessions() as s:
        outside = set(s.scalars(select(PlaceName.name).where(PlaceName.in_area.is_(False))))
        roads = set(s.scalars(select(PlaceName.name).where(PlaceName.local_type == "Named Road")))
    assert outside == {"Tamworth", "Norton Canes"}  # kept so "Church Street, Tamworth" is known to be outside
    assert {r["name"] for r in expected["roads"]} <= roads
    assert "Brownhills Road" not in roads


def test_importing_again_adds_nothing(services: Services) -> None:
    load_open_data(services)
    counts = [_count(services, m) for m in (WardBoundary, PlacePostcode, PlaceName)]
    common: dict[str, Any] = {
        "partnership": services.partnership,
        "now": services.clock.now(),
        "actor": "test",
    }
    again = import_onspd(services.sessions, FIXTURES / "onspd_extract.csv", **common)
    assert (again.imported, again.updated, again.already_present) == (0, 0, 159 + 15)
    assert again.skipped == {"outside the partnership's area": 2}  # the neighbours' terminated postcodes
    names = import_open_names(
        services.sessions,
        FIXTURES / "os_open_names_extract.csv",
        header=FIXTURES / "os_open_names_header.csv",
        **common,
    )
    assert names.imported == 0 and names.already_present == 326
    assert import_wards(services.sessions, FIXTURES / "lichfield_wards.geojson", **common).imported == 0
    assert [_count(services, m) for m in (WardBoundary, PlacePostcode, PlaceName)] == counts
    assert _count(services, PlaceImport) == 6
    with services.sessions() as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "places.import.onspd")) == 2


def _without_column(src: Path, dest: Path, column: str) -> Path:
    lines = src.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    i = header.index(column)
    out = [",".join(v for j, v in enumerate(line.split(",")) if j != i) for line in lines]
    dest.write_text("\n".join(out) + "\n", encoding="utf-8")
    return dest


def test_a_postcode_file_without_its_ward_column_is_refused_naming_it(
    services: Services, tmp_path: Path
) -> None:
    bad = _without_column(FIXTURES / "onspd_extract.csv", tmp_path / "onspd.csv", "osward")
    with pytest.raises(FormatError, match="missing column 'osward'"):
        import_onspd(
            services.sessions, bad, partnership=services.partnership, now=services.clock.now(), actor="t"
        )
    assert _count(services, PlacePostcode) == 0


def test_open_names_header_without_a_column_is_refused_naming_it(services: Services, tmp_path: Path) -> None:
    common: dict[str, Any] = {
        "partnership": services.partnership,
        "now": services.clock.now(),
        "actor": "test",
    }
    import_wards(services.sessions, FIXTURES / "lichfield_wards.geojson", **common)
    header = _without_column(FIXTURES / "os_open_names_header.csv", tmp_path / "h.csv", "LOCAL_TYPE")
    with pytest.raises(FormatError, match="missing column 'LOCAL_TYPE'"):
        import_open_names(services.sessions, FIXTURES / "os_open_names_extract.csv", header=header, **common)
    short = tmp_path / "names.csv"
    short.write_text("osgb1,http://x,Bore Street,,,,transportNetwork\r\n", encoding="utf-8")
    with pytest.raises(FormatError, match="missing column 'LOCAL_TYPE'"):
        import_open_names(services.sessions, short, header=None, **common)


def test_a_boundary_file_without_ward_codes_is_refused(services: Services, tmp_path: Path) -> None:
    text = (FIXTURES / "lichfield_wards.geojson").read_text(encoding="utf-8").replace('"WD24CD"', '"CODE"')
    bad = tmp_path / "wards.geojson"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError, match="missing column 'WD24CD'"):
        import_wards(
            services.sessions, bad, partnership=services.partnership, now=services.clock.now(), actor="t"
        )


def test_the_command_prints_a_summary_and_refuses_a_bad_file(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", services.settings.DATABASE_URL)
    monkeypatch.setenv("PARTNERSHIP", "lichfield")
    assert main(["import", "wards", str(FIXTURES / "lichfield_wards.geojson")]) == 0
    out = capsys.readouterr().out
    assert "imported 22, updated 0, already present 0, skipped 3" in out
    assert "skipped 3: outside the partnership's area" in out
    copy = shutil.copy(FIXTURES / "os_open_names_extract.csv", tmp_path / "SK10.csv")
    header = _without_column(FIXTURES / "os_open_names_header.csv", tmp_path / "h.csv", "NAME1")
    assert main(["import", "open-names", str(copy), "--header", str(header)]) == 2
    assert "missing column 'NAME1'" in capsys.readouterr().err
