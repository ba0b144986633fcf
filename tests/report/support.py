"""Shared paths and helpers of the report tests.

Environment (set by tests/report/CMakeLists.txt; defaults let the tests run from a checkout without CMake):
  SEA_REPORT_TOOL  the generator (default: <repo>/tools/report/make_report)
  SEA_REPORT_OUT   where generated reports and screenshots are kept for inspection (default: a temp directory)
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
FIXTURES = HERE / "fixtures"
ARTIFACTS = FIXTURES / "artifacts"
MAKE_REPORT = Path(os.environ.get("SEA_REPORT_TOOL", REPO / "tools" / "report" / "make_report"))
REAL_NODE_MODULES = MAKE_REPORT.resolve().parent / "node_modules"
GENERATOR_TIMEOUT_S = 30


def out_dir(name: str) -> Path:
    base = os.environ.get("SEA_REPORT_OUT")
    root = Path(base) if base else Path(tempfile.mkdtemp(prefix="sea-report-test-"))
    path = root / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def make_report(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(MAKE_REPORT), *map(str, args)], capture_output=True, text=True,
                          timeout=GENERATOR_TIMEOUT_S, check=False)


def fixture_event_counts() -> list[int]:
    """Events per fixture scenario, in the report's order (artifact directory name)."""
    return [len(json.loads(p.read_text())["events"]) for p in sorted(ARTIFACTS.glob("*/timeline.json"))]
