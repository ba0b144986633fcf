"""Loading and validating the timeline.json files the chaos fixtures write.

Contract: `load_scenarios(artifacts_dir)` returns one `Scenario` per `<artifacts_dir>/<Suite>.<Test>/timeline.json`,
sorted by directory name. Any malformed file raises `ReportInputError` naming the file and the offending field,
so a broken artifact never turns into a silently empty chart. The schema is the one produced by
`fixtures/src/timeline.cpp` `Timeline::to_json()`.

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


@dataclass
class Scenario:
    test_id: str  # artifact directory name, "<Suite>.<Test>"
    path: Path  # the timeline.json it came from
    timeline: dict[str, Any]
    other_artifacts: list[str] = field(default_factory=list)  # sibling files (logs), names only

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

    def invariant_verdict(self) -> str:
        """'pass' when every invariant passed, 'fail' when any failed, 'unknown' when none were recorded."""
        invariants = self.timeline["invariants"]
        if not invariants:
            return "unknown"
        return "pass" if all(i["verdict"] == "pass" for i in invariants) else "fail"


RUN_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")  # fixtures/src/fault.cpp current_run_id()

_FAULT_TIMES = ("inject_start_ms", "inject_end_ms", "healed_ms", "recovered_ms", "time_to_recover_ms")


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


def _optional_number(obj: dict[str, Any], key: str, where: str) -> None:
    value = obj.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise ReportInputError(f"{where}: field '{key}' must be a number or null, got {value!r}")


def validate_timeline(data: Any, where: str) -> dict[str, Any]:
    """Checks the fields the report reads; returns `data` unchanged or raises ReportInputError."""
    if not isinstance(data, dict):
        raise ReportInputError(f"{where}: top level must be a JSON object")
    _require(data, "scenario", str, where)
    if "run" in data:  # absent in timelines written before runs were named: such a timeline is never current
        run = _require(data, "run", dict, where)
        if not RUN_ID_PATTERN.fullmatch(_require(run, "id", str, f"{where} run")):
            raise ReportInputError(f"{where} run: field 'id' is {run['id']!r}, expected at most 64 of [A-Za-z0-9._-]")
        _require(run, "started_at", str, f"{where} run")
    for i, phase in enumerate(_require(data, "phases", list, where)):
        _require(phase, "name", str, f"{where} phases[{i}]")
        _require(phase, "at_ms", (int, float), f"{where} phases[{i}]")
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
    for i, inv in enumerate(_require(data, "invariants", list, where)):
        w = f"{where} invariants[{i}]"
        _require(inv, "name", str, w)
        _require(inv, "deadline_ms", (int, float), w)
        _optional_number(inv, "met_at_ms", w)
        if _require(inv, "verdict", str, w) not in ("pass", "fail"):
            raise ReportInputError(f"{w}: verdict must be 'pass' or 'fail', got {inv['verdict']!r}")
    return data


def load_timeline(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ReportInputError(f"{path}: cannot read: {err.strerror}") from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ReportInputError(f"{path}: not valid JSON: {err}") from err
    return validate_timeline(data, str(path))


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
        scenarios.append(Scenario(directory.name, timeline_path, load_timeline(timeline_path), others))
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
    """The timelines of run `run_id`, or of the newest run when `run_id` is None (see the module docstring)."""
    if run_id is not None and not RUN_ID_PATTERN.fullmatch(run_id):
        raise ReportInputError(f"--run-id {run_id!r}: expected at most 64 of [A-Za-z0-9._-] (a SEA_CHAOS_RUN_ID)")
    starts: dict[str, str] = {}
    for s in scenarios:
        if s.run_id is not None:
            starts[s.run_id] = min(starts.get(s.run_id, s.run_started_at), s.run_started_at)
    if run_id is None and starts:
        run_id = max(starts, key=lambda rid: (starts[rid], rid))
    current = [s for s in scenarios if run_id is not None and s.run_id == run_id]
    return RunSelection(run_id, starts.get(run_id) if run_id else None, current, len(scenarios) - len(current))
