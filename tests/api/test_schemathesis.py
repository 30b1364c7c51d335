"""schemathesis with every check (`-c all`: server errors, status codes, content types, headers,
schemas, negative data rejected, positive data accepted, undeclared methods, Allow headers …) and
every phase (examples, coverage, fuzzing, stateful) against a live server's /openapi.json: what
the OpenAPI document says is what the server does.

Bounded: a few examples per operation and a fixed seed, so a run is reproducible and takes
seconds. It runs in a temporary folder, so its `.schemathesis/` cache never lands in the tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PHASES = "examples,coverage,fuzzing,stateful"


def test_schemathesis_finds_no_issues(server: tuple[str, Path], tmp_path: Path) -> None:
    base, _ = server
    st = Path(sys.executable).parent / "st"
    cmd = [str(st), "run", f"{base}/openapi.json", "--checks", "all", "--phases", PHASES, "--mode", "all"]
    cmd += ["--max-examples", "25", "--seed", "20261122", "--generation-database", "none"]
    cmd += ["--request-timeout", "10", "--workers", "1", "--no-color", "--output-truncate", "false"]
    env = dict(os.environ, SCHEMATHESIS_HOOKS="tests.api.schemathesis_hooks", PYTHONPATH=str(REPO))
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stdout[-6000:]
    assert "No issues found" in r.stdout
