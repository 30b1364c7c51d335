"""`locator holidays import/list` and a broken holiday table, through the real command."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from locator import cli, cli_holidays
from locator.cli_holidays import holidays_path
from locator.holidays import DEFAULT_HOLIDAYS, load_holidays
from locator.settings import read_settings
from tests.conftest import REPO

DATA = REPO / "tests" / "data"
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
　　一、元旦：1月1日（周五）至3日（周日）放假，共3天。
　　二、春节：2月5日（农历除夕、周五）至12日（周五）放假调休，共8天。2月20日（周六）上班。
三、清明节：4月3日 (周六) 至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、 5月8日（周六）上班。
五、端午节：6月9日（周三）放假1天，不调休。
六、中秋节：9月15日（星期三）放假1天，不调休。
七、国庆节：10月1日（周五）至8日（周五）放假调休，共8天。9月26日（周日）、10月9日（周六）上班。
"""


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "locator", *args], cwd=REPO, env=full, capture_output=True, text=True, check=False
    )


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "holidays.csv"
    path.write_bytes(DEFAULT_HOLIDAYS.read_bytes())
    return path


def test_import_appends_a_new_year(table: Path, tmp_path: Path) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text(NOTICE_2027, encoding="utf-8")
    before = table.read_bytes()
    dry = run("holidays", "import", str(notice), "--dry-run", env={"LOCATOR_HOLIDAYS": str(table)})
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[0] == "2027-01-01,off,元旦" and "2027-02-20,workday,春节" in dry.stdout
    assert table.read_bytes() == before
    r = run("holidays", "import", str(notice), env={"LOCATOR_HOLIDAYS": str(table)})
    assert r.returncode == 0, r.stderr
    assert table.read_bytes() == before + dry.stdout.encode()
    near = run("nearest", "39.95", "116.38", "--at", "2027-02-09T10:00", env={"LOCATOR_HOLIDAYS": str(table)})
    assert "no Chinese holiday data for 2027" not in near.stdout + near.stderr
    again = run("holidays", "import", str(notice), env={"LOCATOR_HOLIDAYS": str(table)})
    assert again.returncode == 1 and "already has rows for 2027 (use --replace-year)" in again.stdout
    listed = run("holidays", "list", "--year", "2027", env={"LOCATOR_HOLIDAYS": str(table)})
    assert listed.stdout == dry.stdout


def test_published_notice_replaces_its_year_identically(table: Path) -> None:
    before = table.read_bytes()
    r = run("holidays", "import", str(DATA / "notice_2026.txt"), "--replace-year", env={"LOCATOR_HOLIDAYS": str(table)})
    assert r.returncode == 0, r.stderr
    assert table.read_bytes() == before


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("1月1日（周五）", "1月1日（周四）", ":2: 元旦: 2027-01-01 is a 周五, the notice says 周四"),
        ("2月20日（周六）", "2月23日（周二）", ":3: 春节: make-up workday 2027-02-23 is a 周二"),
        ("共8天", "共9天", ":3: 春节: 共9天 but 2027-02-05–2027-02-12 is 8 day(s)"),
        ("1月1日（周五）至3日", "2月6日（周六）至7日", ":3: 春节: 2027-02-06 is already off in item 元旦"),
    ],
)
def test_broken_notice_changes_nothing(table: Path, tmp_path: Path, old: str, new: str, expected: str) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text(NOTICE_2027.replace(old, new, 1), encoding="utf-8")
    before = table.read_bytes()
    r = run("holidays", "import", str(notice), env={"LOCATOR_HOLIDAYS": str(table)})
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines and all(line.startswith(f"{notice}:") for line in lines)  # one line per problem
    assert any(line.startswith(f"{notice}{expected}") for line in lines), lines
    assert "Traceback" not in r.stderr and table.read_bytes() == before


def test_unreadable_notice_and_bad_year_exit_2(table: Path, tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(NOTICE_2027.encode("gbk"))
    r = run("holidays", "import", str(gbk), env={"LOCATOR_HOLIDAYS": str(table)})
    assert r.returncode == 2 and f"{gbk}:1: not UTF-8" in r.stderr and len(r.stderr.splitlines()) == 1
    r = run("holidays", "import", str(gbk), "--year", "27", env={"LOCATOR_HOLIDAYS": str(table)})
    assert r.returncode == 2 and "--year" in r.stderr


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b"date,kind,name\n2026-01-01,off," + "元旦\n".encode("gbk"), ":2: encoding: "),
        (b"date,kind,name\n2026-01-01,off,x\n\n2026-02-30,off,x\n", ":4: date: '2026-02-30' is not a YYYY-MM-DD date"),
        (b"date,kind,name\n2026-01-01,off\n", ":2: row: has 2 cell(s), the header has 3"),
        (b'date,kind,name\n2026-01-01,off,"x\n', ":2: row: "),
    ],
)
def test_broken_holiday_table_is_one_line_exit_2(tmp_path: Path, content: bytes, where: str) -> None:
    bad = tmp_path / "holidays.csv"
    bad.write_bytes(content)
    for args in (("nearest", "39.95", "116.38"), ("holidays", "list")):
        r = run(*args, env={"LOCATOR_HOLIDAYS": str(bad)})
        assert r.returncode == 2, r.stderr
        lines = (r.stdout + r.stderr).strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"{bad}{where}"), lines


def test_user_copy_when_the_shipped_table_is_read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCATOR_HOLIDAYS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    user = tmp_path / "xdg" / "locator" / "holidays_cn.csv"
    assert holidays_path(os.environ) == DEFAULT_HOLIDAYS
    monkeypatch.setattr(cli_holidays.os, "access", lambda _p, _m: False)  # an installed, read-only package
    assert cli_holidays.writable_table(os.environ) == user
    notice = tmp_path / "notice.txt"
    notice.write_text(NOTICE_2027, encoding="utf-8")
    assert (
        cli_holidays.cmd_holidays_import(
            cli_holidays.argparse.Namespace(
                notice=str(notice), year=None, dry_run=False, replace_year=False, settings=read_settings(os.environ)
            )
        )
        == 0
    )
    assert user.read_bytes().startswith(DEFAULT_HOLIDAYS.read_bytes())
    assert holidays_path(os.environ) == user  # the copy is the table in use from now on
    r = run("holidays", "list", "--year", "2027", env={"XDG_DATA_HOME": str(tmp_path / "xdg")})
    assert r.stdout.startswith("2027-01-01,off,元旦") and str(user) in r.stderr


def full_notice(year: int, new_year: str = "") -> str:
    """A synthetic yearly notice (one day off per statutory holiday, weekdays right)."""
    zh = "一二三四五六日"

    def day(month: int, d: int) -> str:
        return f"{month}月{d}日（周{zh[dt.date(year, month, d).weekday()]}）"

    items = [("元旦", 1, 1), ("春节", 2, 10), ("清明节", 4, 5), ("劳动节", 5, 1), ("端午节", 6, 3), ("中秋节", 9, 20)]
    lines = [f"国务院办公厅关于{year}年部分节假日安排的通知"]
    lines += [f"{'一二三四五六'[i]}、{n}：{day(m, d)}放假1天，不调休。" for i, (n, m, d) in enumerate(items)]
    lines.append(f"七、国庆节：{day(10, 1)}至{day(10, 3)}放假，共3天。")
    if new_year:
        lines[1] = new_year
    return "\n".join(lines) + "\n"


def test_concurrent_imports_lose_no_year(tmp_path: Path) -> None:
    # a long table (synthetic rows for 1950–2019) makes each read-check-write take a while: without
    # the lock the imports' windows overlap and all but one year are lost
    table = tmp_path / "race.csv"
    rows = [f"{dt.date(1950, 1, 1) + dt.timedelta(days=k)},off,x" for k in range(25000)]
    table.write_text("date,kind,name\n" + "\n".join(rows) + "\n", encoding="utf-8")
    years = range(2030, 2036)
    for year in years:
        (tmp_path / f"n{year}.txt").write_text(full_notice(year), encoding="utf-8")
    env = {**os.environ, "LOCATOR_HOLIDAYS": str(table)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "locator", "holidays", "import", str(tmp_path / f"n{year}.txt")],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for year in years
    ]
    results = [(p.wait(timeout=300), p.communicate()[1]) for p in procs]
    assert all(code == 0 for code, _ in results), results
    assert set(years) <= load_holidays(table).years


def test_a_change_without_the_lock_refuses_the_write(
    table: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text(NOTICE_2027, encoding="utf-8")
    real = cli_holidays.merged_table

    def editor_saves_meanwhile(*args: Any, **kwargs: Any) -> Any:
        table.write_bytes(table.read_bytes() + b"2027-12-25,off,x\n")  # another program, no lock
        return real(*args, **kwargs)

    monkeypatch.setattr(cli_holidays, "merged_table", editor_saves_meanwhile)
    monkeypatch.setenv("LOCATOR_HOLIDAYS", str(table))
    assert cli.main(["holidays", "import", str(notice)]) == 3
    assert "changed by another program meanwhile" in capsys.readouterr().err
    assert table.read_bytes().endswith(b"2027-12-25,off,x\n")  # its change stays, ours is not written


def test_replace_year_keeps_the_next_years_new_year_run(table: Path) -> None:
    env = {"LOCATOR_HOLIDAYS": str(table)}
    r = run("holidays", "import", str(DATA / "notice_2028.txt"), env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    near = run("nearest", "39.95", "116.38", "--at", "2027-05-03T10:00", env=env)
    assert "no Chinese holiday data for 2027" in near.stdout + near.stderr  # 2027-12-31 does not cover 2027
    r = run("holidays", "import", str(DATA / "notice_2027.txt"), env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    after = table.read_bytes()
    r = run("holidays", "import", str(DATA / "notice_2027.txt"), "--replace-year", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert b"2027-12-31,off,\xe5\x85\x83\xe6\x97\xa6" in table.read_bytes()
    assert sorted(table.read_bytes().splitlines()) == sorted(after.splitlines())


def test_a_notice_missing_holidays_needs_partial(table: Path, tmp_path: Path) -> None:
    env = {"LOCATOR_HOLIDAYS": str(table)}
    full = tmp_path / "n2027.txt"
    full.write_text(NOTICE_2027, encoding="utf-8")
    assert run("holidays", "import", str(full), env=env).returncode == 0
    extra = tmp_path / "extra.txt"  # a supplementary notice: Spring Festival extended by one day
    extra.write_text("关于2027年部分节假日安排的通知\n一、春节：2月13日（周六）放假1天。\n", encoding="utf-8")
    r = run("holidays", "import", str(extra), env=env)
    assert r.returncode == 1 and "no item for 元旦、清明节" in r.stdout and "--partial" in r.stdout
    r = run("holidays", "import", str(extra), "--partial", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == "2027-02-13,off,春节\n" and "2027-02-13" in table.read_text(encoding="utf-8")


def test_comma_in_a_name_and_bom_crlf_table(tmp_path: Path) -> None:
    table = tmp_path / "bom.csv"
    table.write_bytes("\ufeffdate,kind,name\r\n2026-01-01,off,元旦\r\n\r\n".encode())
    notice = tmp_path / "comma.txt"
    notice.write_text(NOTICE_2027.replace("一、元旦：", "一、元旦,新年："), encoding="utf-8")
    r = run("holidays", "import", str(notice), env={"LOCATOR_HOLIDAYS": str(table)})
    assert r.returncode == 0, r.stdout + r.stderr
    data = table.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfdate,kind,name\r\n2026-01-01,off,") and b"\r\n\r\n" not in data
    assert data.count(b"\n") == data.count(b"\r\n") and '2027-01-01,off,"元旦,新年"\r\n'.encode() in data
    assert load_holidays(table).names[dt.date(2027, 1, 1)] == "元旦,新年"
    listed = run("holidays", "list", "--year", "2027", env={"LOCATOR_HOLIDAYS": str(table)})
    assert listed.stdout.startswith("2027-01-01,off,元旦,新年\n")


def test_installed_shipped_table_is_never_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCATOR_HOLIDAYS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert cli_holidays.writable_table(os.environ) == DEFAULT_HOLIDAYS  # this checkout's own data/ file
    installed = tmp_path / "lib" / "python3.11" / "site-packages" / "locator" / "_data" / "holidays_cn.csv"
    installed.parent.mkdir(parents=True)
    installed.write_bytes(DEFAULT_HOLIDAYS.read_bytes())  # writable, as for root
    monkeypatch.setattr(cli_holidays, "DEFAULT_HOLIDAYS", installed)
    assert cli_holidays.writable_table(os.environ) == tmp_path / "xdg" / "locator" / "holidays_cn.csv"
    outside = tmp_path / "elsewhere" / "holidays_cn.csv"  # not in a source checkout either
    monkeypatch.setattr(cli_holidays, "DEFAULT_HOLIDAYS", outside)
    assert cli_holidays.writable_table(os.environ) == tmp_path / "xdg" / "locator" / "holidays_cn.csv"


def test_table_in_use_comes_from_the_environment_given(tmp_path: Path) -> None:
    """The edge passes a mapping; nothing is read from this process's environment."""
    user = tmp_path / "xdg" / "locator" / "holidays_cn.csv"
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home")}
    assert holidays_path(env) == DEFAULT_HOLIDAYS  # no user copy yet
    user.parent.mkdir(parents=True)
    user.write_bytes(DEFAULT_HOLIDAYS.read_bytes())
    assert holidays_path(env) == user
    assert holidays_path({**env, "LOCATOR_HOLIDAYS": str(tmp_path / "mine.csv")}) == tmp_path / "mine.csv"
    home_copy = tmp_path / "home" / ".local" / "share" / "locator" / "holidays_cn.csv"
    home_copy.parent.mkdir(parents=True)
    home_copy.write_bytes(b"date,kind,name\n")
    assert holidays_path({"HOME": str(tmp_path / "home")}) == home_copy  # XDG default under HOME
