"""Opening hours in Beijing time with Chinese holidays and make-up workdays."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from pathlib import Path

import numpy as np
import pytest
from opening_hours import State

from locator import synthetic
from locator.errors import RegistryInvalid
from locator.holidays import HolidayCalendar, load_holidays
from locator.hours import OPEN, HoursBook, HoursError, beijing, check_syntax, compile_hours, expand_ph
from locator.hours_eval import Evaluators
from locator.hours_zh import hours_zh
from locator.registry import Registry
from locator.service import Locator
from locator.validate import check_feature
from tests.conftest import station

OFFICE = "Mo-Fr 09:00-17:00; PH off"
BJ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def book() -> HoursBook:
    return HoursBook([OFFICE, "24/7", "Mo-Fr,PH 08:00-10:00", "Sa-Su 10:00-16:00"], load_holidays())


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BJ)


@pytest.mark.parametrize(
    ("moment", "is_open", "why"),
    [
        ("2026-11-23T10:00", True, "an ordinary Monday"),
        ("2026-11-21T10:00", False, "an ordinary Saturday"),
        ("2026-02-16T10:00", False, "first working weekday of Spring Festival"),
        ("2026-02-20T10:00", False, "Friday inside the Spring Festival period (library's own PH says open)"),
        ("2026-02-28T10:00", True, "make-up workday Saturday takes weekday hours"),
        ("2026-02-14T10:00", True, "make-up workday Saturday before Spring Festival"),
        ("2026-10-05T10:00", False, "Monday in the National Day golden week (library says open)"),
        ("2026-10-08T10:00", True, "first day after golden week"),
        ("2026-04-06T10:00", False, "Qingming Monday"),
        ("2026-10-10T10:00", True, "make-up Saturday after golden week"),
        ("2026-11-23T08:59", False, "before opening"),
        ("2026-11-23T17:00", False, "closing minute"),
    ],
)
def test_office_hours_on_chinese_calendar(book: HoursBook, moment: str, is_open: bool, why: str) -> None:
    assert book.state(0, at(moment)).open is is_open, why


def test_ph_joined_to_weekdays(book: HoursBook) -> None:
    assert book.state(2, at("2026-02-21T09:00")).open is True  # Saturday, but a PH day
    assert book.state(2, at("2026-11-21T09:00")).open is False  # ordinary Saturday


def test_weekend_only_station_is_closed_on_make_up_workday(book: HoursBook) -> None:
    assert book.state(3, at("2026-11-21T11:00")).open is True
    assert book.state(3, at("2026-02-28T11:00")).open is False  # a working day: weekday (closed) hours


def test_next_change(book: HoursBook) -> None:
    s = book.state(0, at("2026-02-20T10:00"))
    assert s.next_change == at("2026-02-24T09:00")  # Feb 23 is still a holiday
    assert book.state(1, at("2026-02-20T10:00")).next_change is None  # 24/7 never changes
    assert book.state(0, at("2026-02-27T16:00")).next_change == at("2026-02-27T17:00")


def test_unknown_hours_never_open(book: HoursBook) -> None:
    s = book.state(-1, at("2026-11-23T10:00"))
    assert s.open is None and s.next_change is None
    assert book.states(np.array([-1, 1], dtype=np.int32), at("2026-11-23T10:00").timestamp()).tolist() == [-1, OPEN]


def test_year_without_holiday_data_warns_not_crashes(book: HoursBook) -> None:
    s = book.state(0, at("2027-10-05T10:00"))
    assert s.open is True  # evaluated without PH, and said so
    assert s.warning is not None and "2027" in s.warning and "holidays_cn.csv" in s.warning
    assert book.state(0, at("2026-10-05T10:00")).warning is None


def test_evaluated_in_beijing_whatever_the_host_zone(book: HoursBook, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        utc_moment = dt.datetime(2026, 11, 23, 1, 30, tzinfo=dt.UTC)  # 09:30 in Beijing
        assert book.state(0, utc_moment).open is True
        naive = dt.datetime(2026, 11, 23, 9, 30)  # naive = Beijing local time
        assert beijing(naive).utcoffset() == dt.timedelta(hours=8)
        assert book.state(0, naive).open is True
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert os.environ.get("TZ") is None


def test_syntax_errors_name_the_position() -> None:
    with pytest.raises(HoursError, match="at character 7"):
        check_syntax("Mo-Fr 8-18")
    with pytest.raises(HoursError, match="empty"):
        check_syntax(" ")
    with pytest.raises(HoursError, match="PH is supported"):
        check_syntax("PH -1 day 09:00-12:00")


def test_expand_ph_merges_whole_periods() -> None:
    days = frozenset(dt.date(2026, 2, d) for d in range(15, 24))
    assert expand_ph(OFFICE, days) == "Mo-Fr 09:00-17:00; 2026 Feb 15-2026 Feb 23 off"
    assert expand_ph("24/7", days) == "24/7"


def test_make_up_rules_only_where_they_change_something() -> None:
    cal = load_holidays()
    assert str(compile_hours("24/7", cal)) == "24/7"
    assert "2026 Feb 28" in str(compile_hours(OFFICE, cal))


def test_holiday_table_rejects_bad_rows(tmp_path: Path) -> None:
    p = tmp_path / "h.csv"
    p.write_text("date,kind,name\n2026-01-01,off,元旦\n2026-13-01,off,x\n2026-01-04,holiday,x\n2026-01-01,workday,y\n")
    with pytest.raises(RegistryInvalid) as err:
        load_holidays(p)
    lines = [str(x) for x in err.value.problems]
    assert any(":3: date:" in s for s in lines)
    assert any(":4: kind:" in s and "allowed: off, workday" in s for s in lines)
    assert any(":5: date:" in s and "twice" in s for s in lines)


def test_shipped_holiday_table_covers_2026_with_make_up_days() -> None:
    cal = load_holidays()
    assert cal.covers(2026) and not cal.covers(2027)
    assert dt.date(2026, 2, 28) in cal.workdays and dt.date(2026, 10, 5) in cal.days_off


@pytest.mark.parametrize(
    ("expr", "text"),
    [
        (OFFICE, "周一至周五 09:00–17:00，法定节假日休息"),
        ("24/7", "24小时开放"),
        (None, "开放时间未知"),
        ("Mo-Su 08:00-20:00", "每天 08:00–20:00"),
        ("Mo-Fr 09:00-12:00,13:30-17:00; Sa,Su off", "周一至周五 09:00–12:00、13:30–17:00，周六、周日休息"),
        ("Mo-Sa 22:00-06:00+", "周一至周六 22:00–06:00（次日）"),
        ("sunrise-sunset", "sunrise-sunset"),  # not rendered: shown as written, never mistranslated
    ],
)
def test_chinese_rendering(expr: str | None, text: str) -> None:
    assert hours_zh(expr) == text


@pytest.mark.parametrize(
    "expr",
    [OFFICE, "Mo-Fr,PH 08:00-10:00", "Sa-Su 10:00-16:00", "Mo-Su 22:00-26:00; PH off", "PH 10:00-14:00"],
)
def test_per_year_evaluators_agree_with_the_whole_table(expr: str) -> None:
    """Splitting the holiday table by year changes the cost, never the answer (year ends included)."""
    cal = load_holidays()
    whole = compile_hours(expr, cal)
    a, b = beijing(at("2024-12-20T00:00")), beijing(at("2027-01-10T00:00"))
    codes = {State.OPEN: 1, State.CLOSED: 0, State.UNKNOWN: -1}
    expected = [(x.timestamp(), y.timestamp(), codes[s]) for x, y, s, _c in whole.intervals(a, b)]
    got = list(Evaluators(expr, cal).intervals(a.timestamp(), b.timestamp()))

    def changes(rows: list[tuple[float, float, int]]) -> list[tuple[float, int]]:
        out: list[tuple[float, int]] = []
        for x, _y, code in rows:
            if not out or out[-1][1] != code:
                out.append((x, code))
        return out

    assert len(changes(got)) > 10
    assert changes(got) == changes(expected)


def test_windows_are_small_and_next_change_lazy() -> None:
    busy = "Mo-Su " + ",".join(f"{m // 60:02d}:{m % 60:02d}-{m // 60:02d}:{m % 60 + 1:02d}" for m in range(0, 12, 2))
    book = HoursBook([busy, "2020-2025 Mo-Fr 09:00-17:00; PH off"], load_holidays())
    t = at("2026-03-02T00:00:30")
    s = book.state(0, t)
    assert s.open is True and s.next_change == at("2026-03-02T00:01")
    assert book.state(1, t).open is False and book.state(1, t).next_change is None  # ended: no change ahead
    assert book.state(0, at("2026-03-02T00:41")).next_change == at("2026-03-03T00:00")


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("24小时", "write '24/7'"),
        ("全天", "write '24/7'"),
        ("24h", "write '24/7'"),
        ("周一至周五 9:00-17:00", "write 'Mo-Fr 09:00-17:00'"),
        ("Mon-Fri 9-17", "write 'Mo-Fr 09:00-17:00'"),
        ("早8点到晚8点", "write '08:00-20:00'"),
        ("Mo-Fr 8-18", "write 'Mo-Fr 08:00-18:00'"),
        ("工作日 8:30-17:30", "write 'Mo-Fr 08:30-17:30'"),
        ("周一到周日 08:00~20:00", "write 'Mo-Su 08:00-20:00'"),
        ("每天9点到下午5点", "write 'Mo-Su 09:00-17:00'"),
        ("每天9点到次日5点", "write 'Mo-Su 09:00-05:00'"),
        ("每天晚8点到早6点", "write 'Mo-Su 20:00-06:00'"),
        ("每天22点到次日凌晨6点", "write 'Mo-Su 22:00-06:00'"),
        ("每天9点到0点", "write 'Mo-Su 09:00-00:00'"),
    ],
)
def test_syntax_errors_suggest_the_osm_form(text: str, hint: str) -> None:
    with pytest.raises(HoursError, match=r"^not valid OSM opening_hours syntax at character \d+") as info:
        check_syntax(text)
    assert hint in str(info.value)
    assert "read " not in str(info.value)  # a marked or later end hour needs no reading


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("每天9点到5点", "write 'Mo-Su 09:00-17:00' (read 5点 as 17:00; write 次日 for overnight)"),
        ("9点到5点", "write '09:00-17:00' (read 5点 as 17:00; write 次日 for overnight)"),
        ("每天10点到2点", "write 'Mo-Su 10:00-14:00' (read 2点 as 14:00;"),
        ("每天9点到5点30分", "write 'Mo-Su 09:00-17:30' (read 5点 as 17:30;"),
        ("Mon-Fri 9-5", "write 'Mo-Fr 09:00-17:00' (read 5 as 17:00;"),
        ("周一至周五 8:30-5:30", "write 'Mo-Fr 08:30-17:30' (read 5:30 as 17:30;"),
    ],
)
def test_an_unmarked_earlier_end_hour_is_read_as_pm_and_said(text: str, hint: str) -> None:
    with pytest.raises(HoursError) as info:
        check_syntax(text)
    assert hint in str(info.value)
    assert "05:00" not in str(info.value) and "02:00" not in str(info.value)


def test_valid_hours_running_overnight_from_a_morning_start_are_a_warning_that_keeps_the_station() -> None:
    def problems(hours: str) -> tuple[bool, list[str]]:
        feature = station("a", opening_hours=hours).feature()
        kept, found = check_feature("f:a", feature)
        assert all(p.warning for p in found)
        return kept is not None, [p.message for p in found]

    assert problems("Mo-Fr 09:00-05:00") == (
        True, ["'09:00-05:00' runs past midnight; if it closes at 17:00, write 09:00-17:00"],
    )  # fmt: skip
    assert problems("9:00-5:30")[1] == ["'9:00-5:30' runs past midnight; if it closes at 17:30, write 09:00-17:30"]
    assert problems("22:00-06:00") == (True, [])  # a 24-hour clock start: overnight as written
    assert problems("Mo-Fr 08:00-12:00,14:00-06:00") == (True, [])


@pytest.mark.parametrize("text", ["每天20点到6点", "每天晚8点到7点", "周一至周五 晚9点到8点"])
def test_an_end_hour_ambiguous_even_as_pm_gets_no_suggestion(text: str) -> None:
    with pytest.raises(HoursError) as info:
        check_syntax(text)
    assert "write '" not in str(info.value).replace("e.g. 'Mo-Fr 09:00-17:00'", "")
    assert "Mo-Su" not in str(info.value) and "-06:00" not in str(info.value)


@pytest.mark.parametrize(
    ("expr", "hint"),
    [
        ("Apr 31 off", r"Apr 31 is not a date \(Apr has 30 days\).*write an existing date, e.g. Apr 30"),
        ("Feb 30 10:00-11:00", r"Feb 30 is not a date.*every day"),
        ("Mo-Fr 08:00-18:00; Jun 31 off", r"Jun 31 is not a date"),
        ("Mo-Fr 08:00-18:00; SH off", r"SH \(school holidays\) is not supported.*write the dates instead"),
        ("2024-2030/100 Mo 10:00-12:00", r"step 100 is larger than the range.*write 2024 alone"),
        ("week 10-12/3 Mo 10:00-12:00", r"step 3 is larger than the range"),
        ("sunrise-sunset", r"sunrise is not supported.*write clock times, e.g. 06:00-18:00"),
        ("Mo-Su 10:00-sunset", r"sunset is not supported"),
        ("Mo-Su dawn-dusk", r"dawn is not supported"),
    ],
)
def test_features_the_evaluator_gets_wrong_are_refused(expr: str, hint: str) -> None:
    with pytest.raises(HoursError, match=hint):
        check_syntax(expr)


@pytest.mark.parametrize(
    "expr",
    [
        "Feb 29 off; Mo-Su 08:00-18:00",
        "week 01-53/2 Mo-Fr 08:00-18:00",
        "2024-2030/2 Mo 10:00-12:00",
        "easter -2 days-easter +1 day 10:00-12:00",
        "Dec 25-Jan 05 off",
        "Mo[1],Mo[-1] 10:00-12:00",
        'Mo-Fr 08:00-18:00 "not on SH, closes at sunset, Apr 31"',
    ],
)
def test_features_evaluated_correctly_stay_accepted(expr: str) -> None:
    check_syntax(expr)


def test_look_ahead_into_a_year_without_holiday_data_warns() -> None:
    """Open 24/7 except PH at 2026-12-31 with data for 2026 only: no change is found (2027's
    New Year is unknown), so the query must say the look-ahead ran past the holiday table."""
    cal = HolidayCalendar(frozenset({dt.date(2026, 10, 1)}), frozenset(), {}, frozenset({2026}), "t.csv")
    base = synthetic.stations(2, seed=5)
    exprs = ("Mo-Su 00:00-24:00; PH off", "Mo-Fr 08:00-18:00")
    loc = Locator(
        Registry([dataclasses.replace(s, opening_hours=e, status="open") for s, e in zip(base, exprs, strict=True)]),
        cal,
    )
    res = loc.nearest(39.9, 116.4, k=2, at="2026-12-31T10:00")
    assert {h.station.opening_hours: h.state.next_change for h in res.hits}["Mo-Su 00:00-24:00; PH off"] is None
    assert res.warnings == [cal.missing_year_warning(dt.date(2027, 1, 1))]
    assert "no Chinese holiday data for 2027" in res.warnings[0]
    only_weekdays = loc.nearest(39.9, 116.4, k=2, at="2026-06-01T10:00")  # every change is found in 2026
    assert only_weekdays.warnings == []
