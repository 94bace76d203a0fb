"""Start-up checks: the partnership file's hand-written places against the imported official data."""

from __future__ import annotations

from sqlalchemy.orm import Session

from casework.partnership import Partnership, normalise_place_name
from casework.places.service import official_places


def check_against_official(session: Session, p: Partnership) -> list[str]:
    """Warnings naming each hand-written ward, town, street, landmark or alias the data contradicts."""
    places = official_places(session, p)
    if places is None:
        return []
    warnings: list[str] = []
    file = f"partnerships/{p.id}.yml"
    official_wards = set(places.ward_names.values())
    for listed in p.wards:
        if listed.name not in official_wards:
            warnings.append(f"{file}: wards: {listed.name!r} is not a ward in the imported boundaries")
    for name in sorted(official_wards - {w.name for w in p.wards}):
        warnings.append(f"{file}: wards: the imported boundaries have {name!r}, which the file does not list")
    for town, ward in p.gazetteer.towns.items():
        key = normalise_place_name(town)
        if key not in places.towns:
            warnings.append(f"{file}: gazetteer.towns.{town}: not a settlement in OS Open Names")
        elif (
            ward
            and places.towns[key].ward
            and p.canonical_ward(ward) not in places.town_wards.get(key, set()) | {places.towns[key].ward}
        ):
            warnings.append(
                f"{file}: gazetteer.towns.{town}: {ward!r} but OS Open Names puts it in "
                f"{places.towns[key].ward!r}"
            )
    for name, ward in p.gazetteer.streets.items():
        warnings += _check_street(places, file, name, p.canonical_ward(ward))
    for name, ward in p.gazetteer.landmarks.items():
        feature = places.features.get(normalise_place_name(name))
        if feature and feature.ward and feature.ward != p.canonical_ward(ward):
            warnings.append(
                f"{file}: gazetteer.landmarks.{name}: {ward!r} but OS Open Names puts it in {feature.ward!r}"
            )
    return warnings


def _check_street(places: object, file: str, name: str, ward: str | None) -> list[str]:
    from casework.places.index import OfficialPlaces

    assert isinstance(places, OfficialPlaces)
    base = normalise_place_name(name.split("(")[0])
    found = places.streets.get(base)
    if not found:
        return [f"{file}: gazetteer.streets.{name}: no street of that name in OS Open Names for the area"]
    if ward not in {s.ward for s in found}:
        wards = ", ".join(sorted({s.ward or "?" for s in found}))
        return [f"{file}: gazetteer.streets.{name}: {ward!r} but the imported data puts it in {wards}"]
    return []
