"""A place in a known town is in the partnership's area even when its street is not on the map."""

from casework.intake.routing import ReportFacts, route
from casework.partnership import load_partnership


def test_an_unknown_street_in_a_known_town_is_in_the_area_but_not_in_a_ward():
    p = load_partnership("lichfield")
    for text in ("Curborough Road, Lichfield", "Ogley Hay Road, Burntwood", "spinney lane burntwood"):
        place = p.resolve_place(text)
        assert place.in_area and place.ward is None, text
    assert not p.resolve_place("Main Street, Tamworth").in_area
    assert not p.resolve_place("round the back").in_area


def test_district_duties_route_on_the_town_and_only_places_outside_go_to_triage():
    p = load_partnership("lichfield")
    for asb_type in ("abandoned_vehicle", "noise", "neighbour_nuisance", "litter_flytipping"):
        in_town = route(ReportFacts(asb_type=asb_type, ward=None, in_area=True), p)
        assert in_town.lead == "ldc", asb_type
        nowhere = route(ReportFacts(asb_type=asb_type, ward=None, in_area=False), p)
        assert nowhere.lead == p.triage_agency, asb_type
