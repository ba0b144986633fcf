"""Shared paths and helpers of the report tests.

Environment (set by tests/report/CMakeLists.txt; defaults let the tests run from a checkout without CMake):
  SEA_REPORT_TOOL  the generator (default: <repo>/tools/report/make_report); the JUnit writer make_junit is its sibling
  SEA_REPORT_OUT   where generated reports and screenshots are kept for inspection (default: a temp directory)
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
FIXTURES = HERE / "fixtures"
ARTIFACTS = FIXTURES / "artifacts"  # one run (fixture-run-1) of four scenarios that got verdicts
SETUP_FAILURES = FIXTURES / "setup-failures"  # the same run: a stack-not-steady and a skipped scenario (no verdict)
MAKE_REPORT = Path(os.environ.get("SEA_REPORT_TOOL", REPO / "tools" / "report" / "make_report"))
MAKE_JUNIT = MAKE_REPORT.parent / "make_junit"
JUNIT_XSD = HERE / "junit-10.xsd"
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


def make_junit(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(MAKE_JUNIT), *map(str, args)], capture_output=True, text=True,
                          timeout=GENERATOR_TIMEOUT_S, check=False)


def read_timeline(name: str, root: Path = ARTIFACTS) -> dict:
    return json.loads((root / name / "timeline.json").read_text())


def write_timeline(artifacts: Path, name: str, timeline: dict) -> Path:
    (artifacts / name).mkdir(parents=True, exist_ok=True)
    path = artifacts / name / "timeline.json"
    path.write_text(json.dumps(timeline))
    return path


def fixture_event_counts() -> list[int]:
    """Events per fixture scenario, in the report's order (artifact directory name)."""
    return [len(json.loads(p.read_text())["events"]) for p in sorted(ARTIFACTS.glob("*/timeline.json"))]


NEWER_RUN = "run-20261128T090000Z-4242"
OLDER_RUN = "run-20261120T090000Z-17"
FIXTURE_RUN = "fixture-run-1"  # every timeline under fixtures/artifacts, started 2026-11-27T10:00:00.000Z


def write_run_artifacts(root: Path) -> Path:
    """An artifacts directory holding several runs, as build/ci/chaos-artifacts does after repeated runs:
    - the 4 fixture timelines (run fixture-run-1, started 2026-11-27),
    - NatsPartitionMesh/OpaRestart again under other directory names in a NEWER run (2026-11-28),
    - one timeline of an OLDER run (2026-11-20) and one written before schema 2 and before timelines named their
      run (no schema_version, no "run").
    Returns the directory; the newest run's timelines are Newer.Nats and Newer.Opa (in that order)."""
    artifacts = root / "artifacts"
    shutil.copytree(ARTIFACTS, artifacts)

    def copy(source: str, name: str, run: dict | None) -> None:
        timeline = json.loads((ARTIFACTS / source / "timeline.json").read_text())
        if run is None:
            del timeline["run"], timeline["schema_version"]
        else:
            timeline["run"] = run
        (artifacts / name).mkdir()
        (artifacts / name / "timeline.json").write_text(json.dumps(timeline))

    copy("NatsPartitionMesh.AckedMessagesReachMirrorExactlyOnce", "Newer.Nats", {"id": NEWER_RUN, "started_at": "2026-11-28T09:00:00.000Z"})
    copy("OpaRestart.GatewayFailsClosedAndRecovers", "Newer.Opa", {"id": NEWER_RUN, "started_at": "2026-11-28T09:00:00.000Z"})
    copy("Synthetic.FaultNeverHealed", "Older.Synthetic", {"id": OLDER_RUN, "started_at": "2026-11-20T09:00:00.000Z"})
    copy("Synthetic.FaultNeverHealed", "Legacy.NoRunNamed", None)
    return artifacts


def event_counts(artifacts: Path, names: list[str]) -> list[int]:
    return [len(json.loads((artifacts / n / "timeline.json").read_text())["events"]) for n in names]
