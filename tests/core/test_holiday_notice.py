"""The State Council's notices parsed into holiday rows: the published 2025 and 2026 notices give
exactly the table built from chinese-calendar; broken notices name the line and the problem; the
same notice pasted in other forms gives the same rows; a merged table keeps its form."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from locator.holiday_merge import conflicts, merged_table
from locator.holiday_notice import parse_notice
from locator.holidays import DEFAULT_HOLIDAYS, load_holidays, notice_years, parse_holidays

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
    text = DEFAULT_HOLIDAYS.read_bytes()
    notice = parse_notice((DATA / "notice_2026.txt").read_text(encoding="utf-8"))
    without = b"".join(ln for ln in text.splitlines(keepends=True) if not ln.startswith(b"2026-"))
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
    notice = parse_notice(text, partial=True)
    assert notice.problems == []
    assert notice.rows[0] == (dt.date(2018, 12, 29), "workday", "元旦")
    assert [d for d, k, _ in notice.rows if k == "off"] == [
        dt.date(2018, 12, 30),
        dt.date(2018, 12, 31),
        dt.date(2019, 1, 1),
    ]
    owner = notice_years({d: k for d, k, _n in notice.rows})
    assert set(owner.values()) == {2019}  # the make-up Saturday before the run is the 2019 notice's too


def test_conflicts_with_the_table() -> None:
    cal = load_holidays(DEFAULT_HOLIDAYS)
    notice = parse_notice((DATA / "notice_2026.txt").read_text(encoding="utf-8"))
    existing = {d: "off" for d in cal.days_off} | {d: "workday" for d in cal.workdays}
    assert "already has rows for 2026" in str(conflicts(notice.rows, existing, 2026, "t", replace=False)[0])
    assert conflicts(notice.rows, existing, 2026, "t", replace=True) == []


NOTICE_2027_FULL = (DATA / "notice_2027.txt").read_text(encoding="utf-8")
MAKEUP = "。1月31日（周日）、2月20日(周六)上班。"


@pytest.mark.parametrize(
    "pasted",
    [
        "。\n1月31日（周日）、2月20日(周六)上班。",  # the make-up sentence on its own line (from a web page)
        "\n\n1月31日（周日）、2月20日(周六)上班",
        "，1月31日（周日）、2月20日(周六)上班。",  # a comma instead of 。
        ".1月31日（周日）、2月20日(周六)上班.",  # a half-width full stop
        "。上班：1月31日（周日）、2月20日(周六)。",  # the date after 上班
        "1月31日（周日）、2月20日(周六)上班",  # no separator at all
        "。1月31日（周日）、2月20日(周六)补班。",  # the everyday word
    ],
)
def test_make_up_days_in_any_pasted_form_give_the_same_rows(pasted: str) -> None:
    canonical = parse_notice(NOTICE_2027_FULL, "n.txt")
    assert canonical.problems == [] and (dt.date(2027, 1, 31), "workday", "春节") in canonical.rows
    assert MAKEUP in NOTICE_2027_FULL
    notice = parse_notice(NOTICE_2027_FULL.replace(MAKEUP, pasted), "n.txt")
    assert notice.problems == [] and notice.rows == canonical.rows


@pytest.mark.parametrize(
    "garbled",
    [
        "。1月31号（周日）、2月20日(周六)上班。",
        "。1月31日（周日）、2月二十日上班。",
        "。上班：见附件。",
        "。\n2月20 (周六) 上班",
    ],
)
def test_a_make_up_sentence_not_understood_is_an_error(garbled: str) -> None:
    notice = parse_notice(NOTICE_2027_FULL.replace(MAKEUP, garbled), "n.txt")
    assert any("cannot read" in p.message and p.place.startswith("n.txt:") for p in notice.problems), notice.problems


def test_a_notice_must_name_every_statutory_holiday() -> None:
    text = "关于2027年部分节假日安排的通知\n二、春节：2月5日（周五）至13日（周六）放假调休，共9天。"
    problems = parse_notice(text, "n.txt").problems
    assert [p.place for p in problems] == ["n.txt:1"]
    assert "no item for 元旦、清明节、劳动节、端午节、中秋节、国庆节" in problems[0].message
    assert parse_notice(text, "n.txt", partial=True).problems == []
    joined = NOTICE_2027_FULL.replace("六、中秋节：9月15日（星期三）放假1天，不调休。\n", "")
    joined = joined.replace("国庆节：", "国庆节、中秋节：")
    assert parse_notice(joined).problems == []  # 中秋 and 国庆 in one item


def test_the_late_december_run_belongs_to_the_next_years_notice() -> None:
    n2028 = parse_notice((DATA / "notice_2028.txt").read_text(encoding="utf-8"))
    n2027 = parse_notice(NOTICE_2027_FULL)
    assert n2028.problems == [] and n2028.rows[0] == (dt.date(2027, 12, 31), "off", "元旦")
    table = b"date,kind,name\n"
    table, _ = merged_table(table, n2028.rows, 2028, replace=False)
    cal = parse_holidays(Path("t.csv"), table)
    assert cal.years == {2028} and not cal.covers(2027)  # the one December row does not cover 2027
    existing = {d: "off" for d in cal.days_off} | {d: "workday" for d in cal.workdays}
    assert notice_years(existing)[dt.date(2027, 12, 31)] == 2028
    assert conflicts(n2027.rows, existing, 2027, "t", replace=False) == []
    table, added = merged_table(table, n2027.rows, 2027, replace=False)
    assert len(added) == len(n2027.rows) and parse_holidays(Path("t.csv"), table).years == {2027, 2028}
    replaced, _ = merged_table(table, n2027.rows, 2027, replace=True)
    assert b"2027-12-31,off" in replaced and sorted(replaced.splitlines()) == sorted(table.splitlines())


def test_merged_table_keeps_bom_and_crlf_and_quotes_commas() -> None:
    table = "\ufeffdate,kind,name\r\n2026-01-01,off,元旦\r\n\r\n\r\n".encode()
    rows = [(dt.date(2027, 1, 1), "off", "元旦,新年")]
    merged, added = merged_table(table, rows, 2027, replace=False)
    assert added == rows
    assert merged == '\ufeffdate,kind,name\r\n2026-01-01,off,元旦\r\n2027-01-01,off,"元旦,新年"\r\n'.encode()
    assert parse_holidays(Path("t.csv"), merged).names[dt.date(2027, 1, 1)] == "元旦,新年"
