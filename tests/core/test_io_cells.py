"""Pure pieces of station files: encoding choice, formula neutralising, phones, header names."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from locator.errors import InvalidParameter
from locator.io.cells import neutralise, normalise_phone, unneutralise
from locator.io.headers import field_for, suggestion
from locator.io.readers import decode_csv

P = Path("s.csv")


def test_encoding_is_decided_per_file() -> None:
    text = "名称\n德胜\n"
    assert decode_csv(P, text.encode()) == (text, "UTF-8")
    assert decode_csv(P, b"\xef\xbb\xbf" + text.encode()) == (text, "UTF-8 with BOM")
    assert decode_csv(P, text.encode("gbk")) == (text, "GB18030")
    assert decode_csv(P, text.encode("utf-16")) == (text, "UTF-16")


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ("名称\n德胜\n".encode() + "新街口\n".encode("gbk"), "s.csv:line 3: is not UTF-8 although line 1 is"),
        ("名称\n".encode("gbk") + "德胜\n".encode(), "s.csv:line 1: is not UTF-8 although line 2 is"),
        (b"\xef\xbb\xbfname\n" + "德胜\n".encode("gbk"), "although its BOM is"),
        (b"a\x00b\n", "NUL bytes"),
    ],
)
def test_mixed_or_binary_text_is_refused(raw: bytes, needle: str) -> None:
    with pytest.raises(InvalidParameter) as exc:
        decode_csv(P, raw)
    assert needle in exc.value.reason and ("UTF-8" in exc.value.reason or "NUL" in needle)


@given(st.text())
def test_unneutralise_inverts_neutralise(text: str) -> None:
    out = neutralise(text)
    assert unneutralise(out) == text
    assert out[:1] not in ("=", "+", "-", "@", "\t", "\r")


def test_phone_numbers_keep_their_inner_spaces() -> None:
    assert normalise_phone("010-1234 5678 / 13800138000") == "010-1234 5678;13800138000"
    assert normalise_phone("010-12345678，13800138000、 6666") == "010-12345678;13800138000;6666"
    assert normalise_phone("+86 10 1234 5678") == "+86 10 1234 5678"


@pytest.mark.parametrize(
    ("header", "field"),
    [("营业时间", "opening_hours"), ("联系电话", "phone"), (" 站点 名称 ", "name"), ("Opening Hours", "opening_hours"),
     ("LNG", "lon"), ("经度（高德）", "lon"), ("所在区", "district"), ("编号*", "id"), ("adress", None)],
)  # fmt: skip
def test_header_synonyms(header: str, field: str | None) -> None:
    assert field_for(header) == field


def test_unknown_header_suggests_the_nearest() -> None:
    assert suggestion("adress") == "did you mean address?"
    assert suggestion("zzz") == "no close match"
    assert field_for("站点编号") == "code" and field_for("编号") == "id"  # the sign number is not the id
