"""No request may do unbounded work, whatever the registry's hours and the moment asked.

The 50 ms CPU budget itself is measured by `bench/bench_hours_worst.py` and
`bench/bench_hours_dense.py` (timings do not belong in tests on shared machines). Here we count
what a request costs in a way that cannot be noisy: the intervals it pulls from the
opening_hours library, per distinct expression it evaluates. Each case builds a fresh Locator
(loading is not a request) and measures the *first* call for a moment too: that cold call is
the request that would stall a server.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from locator import hours_eval, synthetic
from locator.errors import InvalidParameter
from locator.holidays import load_holidays
from locator.hours import HORIZON, MAX_RAW, HoursBook, HoursError, beijing, check_syntax, compile_hours
from locator.registry import Registry
from locator.service import Locator

# per expression and request: one day's window (12 raw intervals, +2 at its edges) and one
# look-ahead of MAX_RAW raw intervals (+1); a regression to the library's open-ended scans pulls
# hundreds of thousands
PER_EXPR = 14 + MAX_RAW + 1

# every expression here is valid and accepted; together they hit each costly path we found
WORST = (
    "2024-2030 Mo-Fr 08:00-18:00",  # the library's next_change scans to the year 10000 after 2030
    "2020-2026 Mo-Fr 09:00-17:00; PH off",
    "2020-2025 Mo-Fr 09:00-17:00; PH off",  # never changes again, through covered holiday years
    "2001-2005 Mo-Su 08:00-18:00; PH off",
    "2090 Jan 01 open",  # next change decades away
    "2090 Jan 01 open; PH off",
    "2000 Jan 01 10:00-12:00",
    "week 1-53/2 Mo-Fr 08:00-18:00; PH off",
    "easter -2 days-easter +1 day 10:00-12:00",
    "Jan 01-Mar 15,May 20-Sep 30 Mo-Fr 08:00-18:00; Dec 24-Dec 26 off",
    "Nov-Mar Mo-Su 07:00-19:00; PH off",
    "PH 10:00-14:00",
    "Mo-Fr,PH 08:00-10:00",
    'Mo-Fr 08:00-18:00; PH off || unknown "请电话确认"',
    'unknown "请电话确认"',
    'Mo-Su 00:00-06:00 open "a", Mo-Su 06:00-12:00 open "b", Mo-Su 12:00-18:00 open "c"',
    "Mo-Su 22:00+",
    "off",
    "24/7",
    "Mo-Su 00:00-24:00/00:01",  # the library's next_change takes ~0.8 s here
    "Mo-Su " + ",".join(f"{m // 60:02d}:{m % 60:02d}-{m // 60:02d}:{m % 60 + 1:02d}" for m in range(0, 12, 2)),
)


def _span(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}-{(m + 1) // 60:02d}:{(m + 1) % 60:02d}"


dense = synthetic.dense_hours


# moments among the spans, at a year's last minute (windows cross into a year without holidays)
DENSE_MOMENTS = ("2026-03-02T01:10", "2026-12-31T23:59", "2031-03-05T01:40", "2050-06-06T01:00")
MOMENTS = (
    "2000-01-01T00:00",
    "2000-01-01T00:00:00+08:00",
    "2005-06-01T12:00",
    "2026-02-16T10:00",
    "2026-12-31T23:59",
    "2027-01-04T09:00",
    "2031-03-01T10:00",
    "2036-06-01T10:00",
    "2090-01-01T00:00",
    "2099-12-31T23:59:59",
    None,
)


def registry(exprs: tuple[str, ...]) -> Registry:
    base = synthetic.stations(len(exprs), seed=5)
    return Registry([dataclasses.replace(s, opening_hours=e, status="open") for s, e in zip(base, exprs, strict=True)])


Work = Callable[[Callable[[], Any]], int]


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Work:
    """work(fn) runs fn and returns the most library intervals one expression yielded in it."""
    pulled: dict[str, int] = {}
    real = hours_eval.Evaluators.intervals

    def counting(self: hours_eval.Evaluators, start: float, end: float) -> Iterator[tuple[float, float, int]]:
        for item in real(self, start, end):
            pulled[self.expr] = pulled.get(self.expr, 0) + 1
            yield item

    monkeypatch.setattr(hours_eval.Evaluators, "intervals", counting)

    def measure(fn: Callable[[], Any]) -> int:
        pulled.clear()
        fn()
        return max(pulled.values(), default=0)

    return measure


@pytest.fixture(scope="module")
def worst_registry() -> Registry:
    for e in WORST:
        check_syntax(e)
    return registry(WORST)


@pytest.mark.parametrize("at", MOMENTS)
def test_each_request_does_bounded_work(worst_registry: Registry, at: str | None, work: Work) -> None:
    loc = Locator(worst_registry)
    n = len(worst_registry.stations)
    costs = {"nearest cold": work(lambda: loc.nearest(39.9, 116.4, k=n, at=at))}
    costs["nearest open_now"] = work(lambda: loc.nearest(39.9, 116.4, k=n, at=at, open_now=True))
    fresh = Locator(worst_registry)
    for st in worst_registry.stations:
        costs[f"station {st.opening_hours}"] = work(lambda s=st.id: fresh.station(s, at))
    other = Locator(worst_registry)
    when = beijing(dt.datetime.fromisoformat(at)) if at else beijing()
    for st in worst_registry.stations:
        costs[f"open_state {st.opening_hours}"] = work(lambda s=st: other.open_state(s, when))
    worst = max(costs, key=lambda k: costs[k])
    assert 0 < costs[worst] <= PER_EXPR, f"{worst}: {costs[worst]} library intervals at {at}"


def test_many_distinct_never_changing_expressions_do_bounded_work(work: Work) -> None:
    """256 distinct expressions (the size of the vectorised table), each past its last change."""
    exprs = tuple(f"20{10 + i % 15}-2025 Mo-Fr 08:{i // 15:02d}-18:00; PH off" for i in range(256))
    loc = Locator(registry(exprs))
    cost = work(lambda: loc.nearest(39.9, 116.4, k=10, at="2026-03-02T10:00", open_now=True))
    assert 0 < cost <= PER_EXPR
    loc2 = Locator(loc.registry)
    cost = work(lambda: loc2.station(loc2.stations[0].id, "2026-03-02T10:00"))
    assert 0 < cost <= PER_EXPR


def test_next_change_is_bounded_by_the_horizon() -> None:
    book = HoursBook(["2090 Jan 01 open", "2024-2030 Mo-Fr 08:00-18:00", "Nov-Mar Mo-Su 07:00-19:00"], load_holidays())
    now = beijing(dt.datetime(2031, 3, 3, 10, 0))
    assert book.state(0, now).next_change is None  # 59 years away: beyond the horizon
    near = beijing(dt.datetime(2089, 6, 1))
    assert book.state(0, near).next_change == beijing(dt.datetime(2090, 1, 1))
    assert book.state(1, now).next_change is None and book.state(1, now).open is False
    summer = beijing(dt.datetime(2031, 6, 1, 10, 0))  # closed until November, within the horizon
    assert book.state(2, summer).next_change == beijing(dt.datetime(2031, 11, 1, 7, 0))
    assert HORIZON == 366 * 86400


def test_at_outside_the_range_names_at() -> None:
    loc = Locator(registry(("24/7",)))
    for bad in ("1999-12-31T23:59", "2100-01-01T00:00", "1999-12-31T23:59:59+08:00", "9999-12-31T23:59:59-12:00"):
        with pytest.raises(InvalidParameter) as err:
            loc.nearest(39.9, 116.4, at=bad)
        assert err.value.name == "at" and "2000-01-01" in str(err.value) and "2099-12-31" in str(err.value)
    with pytest.raises(InvalidParameter, match="at"):
        loc.station(loc.stations[0].id, dt.datetime(1990, 1, 1))


def test_overlong_expression_is_refused_with_what_to_simplify() -> None:
    long = "; ".join(f"2001 week {w:02d} Mo 10:00-11:00" for w in range(1, 54))
    with pytest.raises(HoursError, match=r"1535 characters; at most 255.*merge rules"):
        check_syntax(long)
    with pytest.raises(HoursError, match="at most 255"):
        compile_hours("Mo-Su " + ",".join(f"{h:02d}:00-{h:02d}:30" for h in range(24)), load_holidays())


@pytest.mark.parametrize("n", [256, 1000])
def test_distinct_dense_expressions_do_bounded_work_at_each_new_moment(n: int, work: Work) -> None:
    """256 (the vectorised table's size) and 1,000 distinct expressions, each with as many state
    changes a day as validation allows; every call is at a moment no earlier call asked."""
    exprs = tuple(dense(i) for i in range(n))
    assert len(set(exprs)) == n and max(map(len, exprs)) <= 255
    for e in exprs:
        check_syntax(e)
    loc = Locator(registry(exprs))  # one load (it costs seconds); each call below asks a new moment
    costs: dict[str, float] = {}
    for shift, (k, open_now) in enumerate(((5, False), (5, True), (n, False), (n, True))):
        for base in DENSE_MOMENTS:
            at = (dt.datetime.fromisoformat(base) - dt.timedelta(minutes=shift)).isoformat()
            costs[f"k={k} open_now={open_now} at={at}"] = work(
                lambda k=k, at=at, o=open_now: loc.nearest(39.9, 116.4, k=k, at=at, open_now=o)
            )
    worst = max(costs, key=lambda c: costs[c])
    assert 0 < costs[worst] <= PER_EXPR, f"{worst}: {costs[worst]} library intervals"


@pytest.mark.parametrize(
    ("expr", "hint"),
    [
        ("Mo-Su " + ",".join(_span(m) for m in range(0, 70, 10)), r"7 time spans in the rule .*at most 6"),
        (dense(0).replace("01:45-01:46", "01:45-01:46,01:52-01:53"), r"17 time spans; at most 16"),
    ],
)
def test_expressions_with_more_spans_than_a_station_has_are_refused(expr: str, hint: str) -> None:
    assert len(expr) <= 255
    with pytest.raises(HoursError, match=hint):
        check_syntax(expr)
