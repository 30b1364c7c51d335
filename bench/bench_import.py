"""Import and export at scale: a SYNTHETIC 10⁶-station store, 10⁵ CSV rows imported with
`--mode update` (half of them change existing stations, half are new), and the store exported
to GeoJSON / CSV / GeoPackage; the same operations on a GeoJSON registry beside them (the
baseline, from the same run).

Every operation is a real `locator` process; its peak RSS is read with
`getrusage(RUSAGE_CHILDREN)` in a small wrapper process that runs only that one command, so
each figure is that command's own peak.

    .venv/bin/python bench/bench_import.py                     # 10⁶ store, baseline at 10⁶
    .venv/bin/python bench/bench_import.py --baseline-n 200000 # a smaller GeoJSON baseline
    .venv/bin/python bench/bench_import.py --keep /tmp/b       # reuse the built store next time
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def measure(cmd: list[str]) -> None:
    """(wrapper mode) run `cmd`, print its wall time and peak RSS as JSON."""
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    tail = (r.stderr.strip().splitlines() or [""])[-1]
    cpu = use.ru_utime + use.ru_stime
    rss_mb = use.ru_maxrss / 1024
    print(json.dumps({"code": r.returncode, "wall_s": wall, "cpu_s": cpu, "rss_mb": rss_mb, "said": tail}))


def run(registry: Path, *args: str) -> dict[str, object]:
    cmd = [sys.executable, "-m", "locator", "--registry", str(registry), *args]
    out = subprocess.run(
        [sys.executable, __file__, "--measure", "--", *cmd], capture_output=True, text=True, check=True, cwd=REPO
    )
    res: dict[str, object] = json.loads(out.stdout)
    if res["code"] != 0:
        raise SystemExit(f"{' '.join(args)} failed: {res['said']}")
    return res


def build(folder: Path, n: int, rows: int, baseline_n: int) -> tuple[Path, Path, Path]:
    """The pristine store, the pristine GeoJSON baseline registry and the CSV to import."""
    from locator import synthetic
    from locator.io import write_stations
    from locator.registry import save_registry
    from locator.store import create_store

    store_path, geojson_path, csv_path = folder / "pristine.sqlite", folder / "pristine.geojson", folder / "rows.csv"
    if not store_path.exists():
        t = time.perf_counter()
        stations = synthetic.stations(n)
        t1 = time.perf_counter()
        store, _ = create_store(store_path, stations, by="init", why="synthetic benchmark registry")
        store.close()
        t2 = time.perf_counter()
        print(f"built the {n:,}-station store: {t1 - t:.1f} s stations + {t2 - t1:.1f} s create_store")
        save_registry(geojson_path, stations[:baseline_n])
        del stations
    if not csv_path.exists():
        new = synthetic.stations(rows, seed=7)  # other points and attributes: every row differs
        half = rows // 2
        renamed = [s if i < half else _renamed(s, f"syn-new-{i:07d}") for i, s in enumerate(new)]
        write_stations(csv_path, renamed, "wgs84")
    return store_path, geojson_path, csv_path


def _renamed(s: object, sid: str) -> object:
    import dataclasses

    return dataclasses.replace(s, id=sid)  # type: ignore[type-var]


def row(label: str, store: dict[str, object] | None, base: dict[str, object] | None, target: str) -> None:
    def cell(r: dict[str, object] | None) -> str:
        if r is None:
            return f"{'—':>28}"
        return f"{r['wall_s']:6.1f} s {r['cpu_s']:6.1f} s {r['rss_mb']:6.0f} MB"

    print(f"{label:<32} {cell(store)}   {cell(base)}   {target}", flush=True)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--measure":
        measure(sys.argv[3:])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="stations in the store")
    ap.add_argument("--rows", type=int, default=100_000, help="CSV rows imported")
    ap.add_argument("--baseline-n", type=int, default=1_000_000, help="stations in the GeoJSON baseline (0: none)")
    ap.add_argument("--keep", type=Path, help="folder to keep the built store in (reused when present)")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_import."))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        store0, geojson0, csv = build(folder, args.n, args.rows, args.baseline_n)
        store, reg = folder / "work.sqlite", folder / "work.geojson"
        for p in folder.glob("work.sqlite*"):
            p.unlink()
        shutil.copyfile(store0, store)
        baseline = args.baseline_n > 0
        if baseline:
            shutil.copyfile(geojson0, reg)
        print(f"store {args.n:,} stations; GeoJSON baseline {args.baseline_n:,}; import {args.rows:,} CSV rows")
        print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (other work slows wall time)")
        print(f"{'':<32} {'store (.sqlite)':>28}   {'GeoJSON registry':>28}   target")
        print(f"{'':<32} {'wall      cpu    peak RSS':>28}   {'wall      cpu    peak RSS':>28}")
        imp = ["import", str(csv), "--mode", "update"]
        row(
            f"import {args.rows:,} rows --mode update",
            run(store, *imp),
            run(reg, *imp) if baseline else None,
            "≤ 20 s, ≤ 1 GB",
        )
        dry = [*imp, "--dry-run"]
        row("import … --dry-run (printed)", run(store, *dry), run(reg, *dry) if baseline else None, "")
        for ext in ("geojson", "csv", "gpkg"):
            out_s, out_g = folder / f"out_store.{ext}", folder / f"out_geojson.{ext}"
            row(
                f"export {ext}",
                run(store, "export", str(out_s)),
                run(reg, "export", str(out_g)) if baseline else None,
                "≤ 1 GB",
            )
            out_s.unlink()
            out_g.unlink(missing_ok=True)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
