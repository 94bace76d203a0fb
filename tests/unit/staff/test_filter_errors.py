"""An unusable filter names its field, so the staff API's `field` is not parsed out of the message."""

import pytest

from casework.staff import InvalidFilter, parse_filters


@pytest.mark.parametrize(
    ("args", "field"), [({"risk": "extreme"}, "risk"), ({"page": "0"}, "page"), ({"from": "soon"}, "from")]
)
def test_an_unusable_filter_says_which_field(args: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidFilter) as raised:
        parse_filters(args)
    assert raised.value.field == field
    assert str(raised.value).startswith(f"{field}: ")
