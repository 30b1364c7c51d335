"""Fuzzing `locator import`: any bytes as CSV, XLSX or GeoJSON end in success or a clear error
(exit 0, 1 or 2), never a traceback. Bounded: small `max_examples`, in-process calls."""

from __future__ import annotations

import io
import subprocess
import sys
import traceback
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from locator.cli import main
from tests.conftest import station

CSV_SEED = "id,名称,type,设施,开放时间,source,经度,纬度\na,德胜驿站,暖心驿站,热饭；饮水,24/7,调查,116.38,39.95\n"
GEOJSON_SEED = (
    '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point",'
    '"coordinates":[116.38,39.95]},"properties":{"id":"a","name":"站","type":"warm_station",'
    '"amenities":["microwave"],"opening_hours":"24/7","source":"t"}}]}'
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _xlsx_seed() -> bytes:
    wb = openpyxl.Workbook()
    for line in CSV_SEED.splitlines():
        wb.active.append(line.split(","))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


XLSX_SEED = _xlsx_seed()


def _mutate(seed: bytes, data: st.DataObject) -> bytes:
    raw = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 8))):
        kind = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        pos = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        if kind == "flip" and raw:
            raw[pos] = data.draw(st.integers(0, 255))
        elif kind == "cut":
            del raw[pos : pos + data.draw(st.integers(1, 64))]
        else:
            raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=8))
    return bytes(raw)


def _import(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    reg = tmp_path / "reg.geojson"
    try:
        code = main(
            ["--registry", str(reg), "import", str(f), *(["--crs", "gcj02"] if name[-4:] in (".csv", "xlsx") else [])]
        )
    except SystemExit as exc:  # argparse only; never reached with these arguments
        code = int(exc.code or 0)
    except Exception:
        pytest.fail(f"traceback for {content[:200]!r}:\n{traceback.format_exc()}")
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (code, out, err)
    if code == 2:
        assert len(err.strip().splitlines()) == 1 and str(f) in err, err
    if code == 1:
        assert out and all(line.startswith(str(f)) for line in out.splitlines()), out


@FUZZ
@given(data=st.data())
def test_fuzz_csv_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from([CSV_SEED.encode(), CSV_SEED.encode("gbk"), CSV_SEED.encode("utf-16")]))
    _import(tmp_path, capsys, "s.csv", _mutate(seed, data))


@FUZZ
@given(data=st.data())
def test_fuzz_xlsx_bytes_and_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: st.DataObject) -> None:
    if data.draw(st.booleans()):
        content = _mutate(XLSX_SEED, data)
    else:  # a well-formed workbook with random cell texts and values
        wb = openpyxl.load_workbook(io.BytesIO(XLSX_SEED))
        ws = wb.active
        for _ in range(data.draw(st.integers(1, 5))):
            r, c = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 10))
            value = data.draw(
                st.one_of(
                    st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=20),
                    st.floats(allow_nan=False),
                    st.integers(-(10**12), 10**12),
                    st.dates(),
                    st.booleans(),
                    st.none(),
                )
            )
            ws.cell(r, c).value = value
        buf = io.BytesIO()
        wb.save(buf)
        content = buf.getvalue()
    _import(tmp_path, capsys, "s.xlsx", content)


@FUZZ
@given(data=st.data())
def test_fuzz_geojson_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: st.DataObject) -> None:
    _import(tmp_path, capsys, "s.geojson", _mutate(GEOJSON_SEED.encode(), data))


@pytest.mark.parametrize(
    ("name", "content"),
    [("broken.csv", b'id,name\n"a,\xff\xfe'), ("broken.xlsx", XLSX_SEED[:300]), ("broken.geojson", b'{"type":')],
)
def test_broken_files_in_a_real_process(tmp_path: Path, write_registry, name: str, content: bytes) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / name
    f.write_bytes(content)
    reg = write_registry([station("a")])
    cmd = [sys.executable, "-m", "locator", "--registry", str(reg), "import", str(f), "--crs", "wgs84"]
    if name.endswith(".geojson"):
        cmd = cmd[:-2]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and str(f) in r.stderr
