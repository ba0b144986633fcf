"""Loading and validating the timeline.json files the chaos fixtures write (timeline schema_version 2).

Contract: `load_scenarios(artifacts_dir)` returns one `Scenario` per `<artifacts_dir>/<Suite>.<Test>/timeline.json`,
sorted by directory name. A malformed schema-2 file raises `ReportInputError` naming the file and the offending
field, so a broken artifact never turns into a silently empty chart. The schema is the one produced by
`fixtures/src/timeline.cpp` `Timeline::to_json()` (schema_version 2).

A timeline of another schema version (e.g. written before schema 2, which had no "schema_version") is loaded only
as far as its run ("run": {"id", "started_at"}) and marked `schema_problem`: it is counted like any timeline of
another run, and `select_run` raises ReportInputError with one line naming the file and the fix when such a file
belongs to the run being reported. Its contents are never read as if they were schema 2.

`select_run(scenarios, run_id)` keeps the timelines of ONE run (the ctest invocation named by "run": {"id",
"started_at"} in each timeline): the given id, or when none is given the newest run (latest start; a run's
start is the earliest "run.started_at" of its timelines). Everything else — other runs, and timelines written
before timelines named their run — is counted as ignored, never shown as current.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ReportInputError(Exception):
    """Bad input to the report generator; the message names the file/field at fault."""


SCHEMA_VERSION = 2  # fixtures/src/timeline.cpp kTimelineSchemaVersion
STATUSES = ("passed", "failed", "skipped", "unknown")
VALIDITIES = ("valid", "invalid", "unknown")
FAILURE_KINDS = ("stack-not-steady", "fault-injection-failed", "fault-not-effective", "invariant-violated",
                 "invariant-unknown", "bad-input", "preflight", "other")
# Failures that a verdict carries (its own testcase); every other kind happened around the verdicts.
VERDICT_FAILURE_KINDS = ("invariant-violated", "invariant-unknown")


@dataclass
class Scenario:
    test_id: str  # artifact directory name, "<Suite>.<Test>"
    path: Path  # the timeline.json it came from
    timeline: dict[str, Any]
    other_artifacts: list[str] = field(default_factory=list)  # sibling files (logs), names only
    schema_problem: str | None = None  # set for a timeline that is not schema 2: the one-line error if it is current

    @property
    def name(self) -> str:
        return self.timeline["scenario"]

    @property
    def run_id(self) -> str | None:
        run = self.timeline.get("run")
        return run["id"] if run else None

    @property
    def run_started_at(self) -> str | None:
        run = self.timeline.get("run")
        return run["started_at"] if run else None

    @property
    def status(self) -> str:
        return self.timeline["outcome"]["status"]

    @property
    def verdicts(self) -> list[dict[str, Any]]:
        return self.timeline["verdicts"]

    @property
    def failures(self) -> list[dict[str, str]]:
        return self.timeline["outcome"]["failures"]

    def scenario_verdict(self) -> tuple[str, str]:
        """(verdict, note). verdict: 'pass' | 'fail' | 'skipped' | 'unknown', from outcome.status. A scenario passed
        iff outcome.status is "passed" AND it has at least one verdict AND every verdict is valid; a "passed"
        outcome that its verdicts contradict is shown as 'fail' with the note saying why (never green)."""
        status = self.status
        if status == "passed":
            not_valid = [v["id"] for v in self.verdicts if v["validity"] != "valid"]
            if not self.verdicts:
                return "fail", "outcome says passed but no invariant verdict was recorded"
            if not_valid:
                return "fail", f"outcome says passed but not every verdict is valid: {', '.join(not_valid)}"
            return "pass", ""
        return {"failed": "fail", "skipped": "skipped", "unknown": "unknown"}[status], ""


RUN_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")  # fixtures/src/fault.cpp current_run_id()

_FAULT_TIMES = ("inject_start_ms", "inject_end_ms", "verified_ms", "healed_ms", "recovered_ms", "time_to_recover_ms")


def _require(obj: Any, key: str, kinds: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise ReportInputError(f"{where}: missing field '{key}'")
    value = obj[key]
    allowed = kinds if isinstance(kinds, tuple) else (kinds,)
    # bool is an int in Python; a JSON true/false is never a valid number here.
    if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
        names = " or ".join(k.__name__ for k in allowed)
        raise ReportInputError(f"{where}: field '{key}' is {value!r}, expected {names}")
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _optional_number(obj: dict[str, Any], key: str, where: str) -> None:
    value = obj.get(key)
    if value is not None and not _is_number(value):
        raise ReportInputError(f"{where}: field '{key}' must be a number or null, got {value!r}")


def _one_of(obj: dict[str, Any], key: str, allowed: tuple[str, ...], where: str) -> str:
    value = _require(obj, key, str, where)
    if value not in allowed:
        raise ReportInputError(f"{where}: field '{key}' is {value!r}, expected one of {', '.join(allowed)}")
    return value


def _validate_verdict(verdict: Any, where: str) -> None:
    _require(verdict, "id", str, where)
    _one_of(verdict, "validity", VALIDITIES, where)
    for key in ("deadline_ms", "met_at_ms"):
        if key not in verdict:
            raise ReportInputError(f"{where}: missing field '{key}' (a number or null)")
        _optional_number(verdict, key, where)
    _require(verdict, "at_ms", (int, float), where)
    for name, n in _require(verdict, "counts", dict, where).items():
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ReportInputError(f"{where} counts: '{name}' is {n!r}, expected a non-negative integer")
    for name, x in _require(verdict, "measures", dict, where).items():
        if not _is_number(x):
            raise ReportInputError(f"{where} measures: '{name}' is {x!r}, expected a number")
    for j, example in enumerate(_require(verdict, "examples", list, where)):
        if not isinstance(example, str):
            raise ReportInputError(f"{where} examples[{j}]: {example!r}, expected a string")
    _require(verdict, "evidence", str, where)


def validate_timeline(data: Any, where: str) -> dict[str, Any]:
    """Checks the fields the report and the JUnit writer read (schema_version 2); returns `data` unchanged or raises
    ReportInputError."""
    if not isinstance(data, dict):
        raise ReportInputError(f"{where}: top level must be a JSON object")
    _require(data, "schema_version", int, where)
    _require(data, "scenario", str, where)
    _require(data, "test", str, where)
    run = _require(data, "run", dict, where)
    if not RUN_ID_PATTERN.fullmatch(_require(run, "id", str, f"{where} run")):
        raise ReportInputError(f"{where} run: field 'id' is {run['id']!r}, expected at most 64 of [A-Za-z0-9._-]")
    _require(run, "started_at", str, f"{where} run")
    _require(data, "started_at", str, where)
    _require(data, "duration_ms", (int, float), where)
    outcome = _require(data, "outcome", dict, where)
    _one_of(outcome, "status", STATUSES, f"{where} outcome")
    for i, failure in enumerate(_require(outcome, "failures", list, f"{where} outcome")):
        _one_of(failure, "kind", FAILURE_KINDS, f"{where} outcome.failures[{i}]")
        _require(failure, "message", str, f"{where} outcome.failures[{i}]")
    for i, phase in enumerate(_require(data, "phases", list, where)):
        _require(phase, "name", str, f"{where} phases[{i}]")
        _require(phase, "at_ms", (int, float), f"{where} phases[{i}]")
    for name, ms in data.get("segments_ms", {}).items():
        if not _is_number(ms):
            raise ReportInputError(f"{where} segments_ms: '{name}' is {ms!r}, expected a number")
    for i, event in enumerate(_require(data, "events", list, where)):
        w = f"{where} events[{i}]"
        _require(event, "at_ms", (int, float), w)
        _require(event, "probe", str, w)
        _require(event, "ok", bool, w)
        _require(event, "latency_us", (int, float), w)
    for probe, counter in _require(data, "counters", dict, where).items():
        for key in ("ok", "fail"):
            _require(counter, key, int, f"{where} counters['{probe}']")
    fault = _require(data, "fault", dict, where)
    for key in _FAULT_TIMES:
        _optional_number(fault, key, f"{where} fault")
    for i, verdict in enumerate(_require(data, "verdicts", list, where)):
        _validate_verdict(verdict, f"{where} verdicts[{i}]")
    return data


def _schema_problem(data: Any, where: str) -> str | None:
    """The one-line error for a timeline that is not schema 2; None when it is."""
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version == SCHEMA_VERSION and not isinstance(version, bool):
        return None
    found = "has no schema_version (written before schema 2)" if version is None else f"has schema_version {version!r}"
    return (f"{where} {found}; this tool reads timeline schema_version {SCHEMA_VERSION} only — "
            "re-run the scenario with this build")


def _run_of_other_schema(data: Any) -> dict[str, str] | None:
    """{"id", "started_at"} of a timeline of another schema when both are well-formed, else None (never current)."""
    run = data.get("run") if isinstance(data, dict) else None
    if (isinstance(run, dict) and isinstance(run.get("id"), str) and RUN_ID_PATTERN.fullmatch(run["id"])
            and isinstance(run.get("started_at"), str)):
        return {"id": run["id"], "started_at": run["started_at"]}
    return None


def read_timeline(path: Path) -> tuple[dict[str, Any], str | None]:
    """(timeline, schema_problem). A schema-2 file is fully validated (schema_problem None); a file of another schema
    version is returned as {"scenario", "run"} only, with the one-line error to raise if it is reported."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ReportInputError(f"{path}: cannot read: {err.strerror}") from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ReportInputError(f"{path}: not valid JSON: {err}") from err
    problem = _schema_problem(data, str(path))
    if problem is not None:
        run = _run_of_other_schema(data)
        stub: dict[str, Any] = {"scenario": str(data.get("scenario", "?")) if isinstance(data, dict) else "?"}
        if run is not None:
            stub["run"] = run
        return stub, problem
    return validate_timeline(data, str(path)), None


def load_timeline(path: Path) -> dict[str, Any]:
    """A schema-2 timeline, validated; any other schema version raises the one-line ReportInputError."""
    data, problem = read_timeline(path)
    if problem is not None:
        raise ReportInputError(problem)
    return data


def load_scenarios(artifacts_dir: Path, allow_empty: bool = False) -> list[Scenario]:
    """All scenarios under `artifacts_dir`. Raises ReportInputError when the directory is missing or holds none,
    unless `allow_empty` (a named run that ran nothing: the report says so)."""
    if not artifacts_dir.is_dir():
        if allow_empty:
            return []
        raise ReportInputError(f"artifacts directory '{artifacts_dir}' does not exist (run the chaos suite first)")
    scenarios = []
    for timeline_path in sorted(artifacts_dir.glob("*/timeline.json")):
        directory = timeline_path.parent
        others = sorted(p.name for p in directory.iterdir() if p.is_file() and p.name != "timeline.json")
        timeline, problem = read_timeline(timeline_path)
        scenarios.append(Scenario(directory.name, timeline_path, timeline, others, problem))
    if not scenarios and not allow_empty:
        raise ReportInputError(f"no '<Suite>.<Test>/timeline.json' under '{artifacts_dir}' (did the chaos run write artifacts?)")
    return scenarios


@dataclass
class RunSelection:
    run_id: str | None  # None: no timeline names a run (only old artifacts, or none at all)
    started_at: str | None  # the run's start (earliest run.started_at of its timelines); None when nothing of it ran
    current: list[Scenario]  # the run's timelines, in load order
    ignored: int  # timelines of other runs or of no named run


def select_run(scenarios: list[Scenario], run_id: str | None = None) -> RunSelection:
    """The timelines of run `run_id`, or of the newest run when `run_id` is None (see the module docstring).
    Raises ReportInputError when a timeline of the selected run is not schema 2."""
    if run_id is not None and not RUN_ID_PATTERN.fullmatch(run_id):
        raise ReportInputError(f"--run-id {run_id!r}: expected at most 64 of [A-Za-z0-9._-] (a SEA_CHAOS_RUN_ID)")
    starts: dict[str, str] = {}
    for s in scenarios:
        if s.run_id is not None:
            starts[s.run_id] = min(starts.get(s.run_id, s.run_started_at), s.run_started_at)
    if run_id is None and starts:
        run_id = max(starts, key=lambda rid: (starts[rid], rid))
    current = [s for s in scenarios if run_id is not None and s.run_id == run_id]
    for s in current:
        if s.schema_problem is not None:
            raise ReportInputError(s.schema_problem)
    return RunSelection(run_id, starts.get(run_id) if run_id else None, current, len(scenarios) - len(current))
