"""The State Council's notices parsed into holiday rows: the published 2025 and 2026 notices give
exactly the table built from chinese-calendar; broken notices name the line and the problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from locator.holiday_notice import conflicts, merged_table, parse_notice
from locator.holidays import DEFAULT_HOLIDAYS, load_holidays

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.mark.parametrize("year", [2025, 2026])
def test_published_notice_gives_the_table_rows(year: int) -> None:
    notice = parse_notice((DATA / f"notice_{year}.txt").read_text(encoding="utf-8"), "n.txt")
    assert notice.problems == []
    assert notice.year == year
    cal = load_holidays(DEFAULT_HOLIDAYS)
    want = sorted([(d, "off") for d in cal.days_off if d.year == year] + [
        (d, "workday") for d in cal.workdays if d.year == year])  # fmt: skip
    assert [(d, k) for d, k, _n in notice.rows] == want
    for day, _kind, name in notice.rows:  # a joint heading (国庆节、中秋节) names each of its days
        assert cal.names[day] == name or cal.names[day] in name.split("、")


def test_rows_of_a_published_year_rebuild_the_same_table() -> None:
    text = DEFAULT_HOLIDAYS.read_text(encoding="utf-8")
    notice = parse_notice((DATA / "notice_2026.txt").read_text(encoding="utf-8"))
    without = "\n".join(ln for ln in text.splitlines() if not ln.startswith("2026-")) + "\n"
    rebuilt, added = merged_table(without, notice.rows, 2026, replace=False)
    assert rebuilt == text and len(added) == 39


NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
　　一、元旦：1月1日（周五）至3日（周日）放假，共3天。
　　二、春节：2月5日（农历除夕、周五）至12日（周五）放假调休，共8天。2月20日（周六）上班。
　　三、清明节：4月3日（周六）至5日（周一）放假，共3天。
"""


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("1月1日（周五）", "1月1日（周四）"), 2, "2027-01-01 is a 周五, the notice says 周四"),
        (("2月20日（周六）", "2月23日（周二）"), 3, "make-up workday 2027-02-23 is a 周二, not a weekend day"),
        (("共8天", "共7天"), 3, "共7天 but 2027-02-05–2027-02-12 is 8 day(s)"),
        (("4月3日（周六）至5日", "2月12日（周五）至5日"), 4, "ends (2027-02-05) before it starts"),
        (("4月3日（周六）至5日（周一）", "2月11日（周四）至13日（周六）"), 4, "2027-02-11 is already off in item 春节"),
        (("至3日（周日）放假", "到3日（周日）放假"), 2, "cannot read the period"),
        (("1月1日（周五）", "13月1日（周五）"), 2, "'13月1日（周五）' is not a date of 2027"),
        (("2月20日（周六）上班", "2026年2月20日（周五）上班"), 3, "2026-02-20 is not in 2027"),
    ],
)
def test_broken_notice_names_the_line(change: tuple[str, str], line: int, message: str) -> None:
    assert change[0] in NOTICE_2027
    notice = parse_notice(NOTICE_2027.replace(change[0], change[1], 1), "n.txt")
    assert notice.problems, notice.rows
    assert any(p.place == f"n.txt:{line}" and message in p.message for p in notice.problems), notice.problems


def test_garbage_and_missing_year_are_refused() -> None:
    assert "no numbered holiday items" in str(parse_notice("关于2027年部分节假日安排的通知\n你好").problems[0])
    assert "no year in the title" in str(parse_notice("一、元旦：1月1日放假，共1天。").problems[0])
    assert parse_notice("一、元旦：1月1日放假，共1天。", year=2027).rows == [(dt.date(2027, 1, 1), "off", "元旦")]


def test_december_before_may_be_named_with_its_year() -> None:
    text = (
        "关于2019年部分节假日安排的通知\n"
        "一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。"
    )
    notice = parse_notice(text)
    assert notice.problems == []
    assert notice.rows[0] == (dt.date(2018, 12, 29), "workday", "元旦")
    assert [d for d, k, _ in notice.rows if k == "off"] == [
        dt.date(2018, 12, 30),
        dt.date(2018, 12, 31),
        dt.date(2019, 1, 1),
    ]


def test_conflicts_with_the_table() -> None:
    cal = load_holidays(DEFAULT_HOLIDAYS)
    notice = parse_notice((DATA / "notice_2026.txt").read_text(encoding="utf-8"))
    existing = {d: "off" for d in cal.days_off} | {d: "workday" for d in cal.workdays}
    assert "already has rows for 2026" in str(conflicts(notice.rows, existing, cal.years, 2026, "t", replace=False)[0])
    assert conflicts(notice.rows, existing, cal.years, 2026, "t", replace=True) == []
