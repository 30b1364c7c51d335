"""schemathesis (all phases, positive and negative data) against a live server's /openapi.json:
zero server errors and zero responses that break the documented schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def test_schemathesis_finds_no_issues(server: tuple[str, Path]) -> None:
    base, _ = server
    st = Path(sys.executable).parent / "st"
    cmd = [str(st), "run", f"{base}/openapi.json", "--mode", "all", "-n", "40", "--checks", CHECKS]
    cmd += ["--generation-deterministic", "--request-timeout", "10"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-4000:]
    assert "No issues found" in r.stdout
