"""Caller-supplied values: `at` is parsed as Beijing time and bounded to a documented range of
years, checked as written so that the OpenAPI pattern states it exactly."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from locator import params
from locator.errors import InvalidParameter
from locator.hours import BEIJING


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2000-01-01T00:00", dt.datetime(2000, 1, 1, tzinfo=BEIJING)),
        ("2000-01-01T00:00Z", dt.datetime(2000, 1, 1, 8, tzinfo=BEIJING)),  # given in UTC
        ("2099-12-31T23:00-05:00", dt.datetime(2100, 1, 1, 12, tzinfo=BEIJING)),  # written in 2099: accepted
        ("2099-12-31T23:59:59", dt.datetime(2099, 12, 31, 23, 59, 59, tzinfo=BEIJING)),
        (" 2026-02-28T10:00+08:00 ", dt.datetime(2026, 2, 28, 10, tzinfo=BEIJING)),
    ],
)
def test_moment_inside_the_range(text: str, expected: dt.datetime) -> None:
    assert params.moment(text) == expected


@pytest.mark.parametrize(
    "value",
    [
        "1999-12-31T23:59:59",
        "1999-12-31T15:59:59Z",
        "2100-01-01T00:00",
        "1999-12-31T23:00-05:00",  # 2000 in Beijing, but written in 1999
        "0001-01-01T00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        dt.datetime(1990, 6, 1),
        dt.datetime(2150, 6, 1, tzinfo=dt.UTC),
    ],
)
def test_moment_outside_the_range_names_at_and_the_range(value: str | dt.datetime) -> None:
    with pytest.raises(InvalidParameter) as err:
        params.moment(value)
    assert err.value.name == "at"
    assert params.AT_RANGE in err.value.reason


def test_malformed_moment_names_the_parameter() -> None:
    with pytest.raises(InvalidParameter, match=r"^when: 'tomorrow' is not an ISO 8601"):
        params.moment("tomorrow", name="when")


def test_openapi_pattern_states_the_range() -> None:
    from locator.api.deps import DATE_TIME

    pattern = re.compile(DATE_TIME["pattern"])
    for year in (1999, 2000, 2099, 2100):
        text = f"{year}-06-01T10:00:00+08:00"
        written_ok = pattern.match(text) is not None
        try:
            params.moment(text)
            accepted = True
        except InvalidParameter:
            accepted = False
        assert written_ok == accepted, text


def test_now_is_inside_the_range() -> None:
    assert params.AT_YEARS[0] <= params.moment(None).year <= params.AT_YEARS[1]
