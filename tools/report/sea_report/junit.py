"""JUnit XML of one chaos run in which each invariant is a testcase (what CI dashboards show well).

Contract: `junit_document(run, hostname)` returns the <testsuites> element for the timelines of ONE run (a
RunSelection, see timelines.select_run); `write_junit(run, out, hostname)` writes it as UTF-8 and returns the tally.
The document validates against the Jenkins xunit-plugin schema junit-10.xsd (tests/report/junit-10.xsd):

  <testsuites name="sea-chaos invariants" tests failures errors time>
    <testsuite name=<scenario> tests failures errors skipped time=<duration_ms/1000> timestamp=<started_at>
               hostname id package="sea-chaos">          one per timeline of the run, in artifact order
      <properties> run.id, test (<Suite>.<Test>), outcome.status, fault, time_to_recover_ms (only when it recovered)
      <testcase classname=<scenario> name="<scenario>/<verdict id>" time=<(met_at - healed) s, else 0>>
        valid:   <system-out> the verdict (evidence, deadline, met at, counts, measures, examples)
        invalid: <failure type="invariant-violated" message="<evidence> — examples: ...">the verdict</failure>
        unknown: <failure type="invariant-unknown" ...>
        outcome skipped: <skipped message=...> instead
      <testcase classname=<scenario> name="<scenario>/setup" time="0">   only when something failed around the
        verdicts: each failure whose kind is not invariant-violated/-unknown (stack-not-steady, fault-not-effective,
        preflight, ...), with the first such kind as type and every message; also a "failed" or "unknown" outcome
        that no verdict explains (type = its first failure kind, else "other" / "outcome-unknown"), a "passed"
        outcome without any verdict (type "no-verdict"), and a skipped scenario without verdicts (<skipped>).

errors is always 0: every problem is a failure with its kind as type. Text that XML 1.0 cannot carry (control
characters) is written as \\xNN.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .timelines import VERDICT_FAILURE_KINDS, RunSelection, Scenario

SUITES_NAME = "sea-chaos invariants"
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))


def _one_line(value: str) -> str:
    return " ".join(_text(value).split())


def _seconds(ms: float | int | None) -> str:
    """junit-10.xsd SUREFIRE_TIME: digits with at most 3 decimals, never negative."""
    return f"{max(0.0, (ms or 0) / 1000.0):.3f}"


def _timestamp(started_at: str) -> str:
    return started_at[:-1] + "+00:00" if started_at.endswith("Z") else started_at


def _named(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items()) or "none"


def verdict_message(verdict: dict[str, Any]) -> str:
    """The failure message: the evidence, then the examples (at most 5 in a timeline), one line."""
    message = verdict["evidence"] or f"{verdict['id']}: {verdict['validity']} (no evidence recorded)"
    if verdict["examples"]:
        message += " — examples: " + "; ".join(verdict["examples"])
    return _one_line(message)


def verdict_details(scenario: Scenario, verdict: dict[str, Any]) -> str:
    t = scenario.timeline
    healed = t["fault"].get("healed_ms")
    deadline = verdict["deadline_ms"]
    met = verdict["met_at_ms"]
    met_text = "never" if met is None else f"{met} ms" + ("" if healed is None else f" (heal {met - healed:+} ms)")
    lines = [
        f"{t['scenario']}/{verdict['id']}: {verdict['validity']}",
        f"evidence: {verdict['evidence']}",
        "deadline: " + ("none (judged on collected evidence)" if deadline is None else f"{deadline} ms"),
        f"met at: {met_text}",
        f"judged at: {verdict['at_ms']} ms",
        f"counts: {_named(verdict['counts'])}",
        f"measures: {_named(verdict['measures'])}",
    ]
    if verdict["examples"]:
        lines.append("examples:")
        lines.extend(f"  {e}" for e in verdict["examples"])
    lines.append(f"test {scenario.test_id}, run {scenario.run_id}, timeline {scenario.path}")
    return _text("\n".join(lines))


def _verdict_time(scenario: Scenario, verdict: dict[str, Any]) -> str:
    healed, met = scenario.timeline["fault"].get("healed_ms"), verdict["met_at_ms"]
    return _seconds(met - healed if met is not None and healed is not None else 0)


@dataclass
class Tally:
    suites: int = 0
    tests: int = 0
    failures: int = 0
    skipped: int = 0


def _setup_problem(scenario: Scenario, verdict_failed: bool) -> tuple[str, str, list[str]] | None:
    """(type, message, detail lines) of the "<scenario>/setup" testcase, or None when it has none."""
    status = scenario.status
    failures = scenario.failures
    around = [f for f in failures if f["kind"] not in VERDICT_FAILURE_KINDS]
    if around:
        chosen = around
    elif status in ("failed", "unknown") and not verdict_failed:
        chosen = failures  # a failed outcome no verdict explains: say what it recorded, or that it recorded nothing
    elif status == "passed" and not scenario.verdicts:
        return ("no-verdict", "outcome says passed but no invariant verdict was recorded (a passed scenario has at least one)", [])
    else:
        return None
    if chosen:
        lines = [f"{f['kind']}: {f['message']}" for f in chosen]
        return chosen[0]["kind"], "; ".join(f["message"] for f in chosen), lines
    if status == "unknown":
        return "outcome-unknown", "the scenario's outcome is unknown (outcome.status unknown: the fixture did not conclude)", []
    return "other", f"the scenario {status} without recording a failure", []


def _suite(scenario: Scenario, index: int, hostname: str, tally: Tally) -> ET.Element:
    t = scenario.timeline
    name = t["scenario"]
    suite = ET.Element("testsuite")
    props = ET.SubElement(suite, "properties")
    fault = t["fault"]
    pairs = [("run.id", scenario.run_id), ("test", scenario.test_id), ("outcome.status", scenario.status),
             ("fault", fault.get("description") or "none")]
    if fault.get("time_to_recover_ms") is not None:  # only a recovery that happened has a time to recover
        pairs.append(("time_to_recover_ms", fault["time_to_recover_ms"]))
    pairs.append(("timeline", scenario.path))
    for key, value in pairs:
        ET.SubElement(props, "property", name=key, value=_text(value))

    skipped_scenario = scenario.status == "skipped"
    skip_message = _one_line("; ".join(f["message"] for f in scenario.failures) or "the scenario was skipped")
    cases = failures = skipped = 0
    verdict_failed = False
    for verdict in scenario.verdicts:
        case = ET.SubElement(suite, "testcase", classname=_text(name), name=_text(f"{name}/{verdict['id']}"),
                             time=_verdict_time(scenario, verdict))
        cases += 1
        details = verdict_details(scenario, verdict)
        if skipped_scenario:
            ET.SubElement(case, "skipped", message=skip_message)
            skipped += 1
        elif verdict["validity"] == "valid":
            ET.SubElement(case, "system-out").text = details
        else:
            kind = "invariant-violated" if verdict["validity"] == "invalid" else "invariant-unknown"
            failure = ET.SubElement(case, "failure", type=kind, message=verdict_message(verdict))
            failure.text = details
            failures += 1
            verdict_failed = True
    if skipped_scenario:
        if not scenario.verdicts:
            case = ET.SubElement(suite, "testcase", classname=_text(name), name=_text(f"{name}/setup"), time="0.000")
            ET.SubElement(case, "skipped", message=skip_message)
            cases += 1
            skipped += 1
    else:
        problem = _setup_problem(scenario, verdict_failed)
        if problem is not None:
            kind, message, lines = problem
            case = ET.SubElement(suite, "testcase", classname=_text(name), name=_text(f"{name}/setup"), time="0.000")
            failure = ET.SubElement(case, "failure", type=_text(kind), message=_one_line(message))
            failure.text = _text("\n".join(lines + [f"outcome {scenario.status}; test {scenario.test_id}, run "
                                                    f"{scenario.run_id}, timeline {scenario.path}"]))
            cases += 1
            failures += 1
    suite.attrib.update({
        "name": _text(name), "tests": str(cases), "failures": str(failures), "errors": "0", "skipped": str(skipped),
        "time": _seconds(t["duration_ms"]), "timestamp": _text(_timestamp(t["started_at"])),
        "hostname": _text(hostname), "id": str(index), "package": "sea-chaos",
    })
    tally.suites += 1
    tally.tests += cases
    tally.failures += failures
    tally.skipped += skipped
    return suite


def junit_document(run: RunSelection, hostname: str) -> tuple[ET.Element, Tally]:
    tally = Tally()
    root = ET.Element("testsuites", name=SUITES_NAME)
    total_ms = 0
    for index, scenario in enumerate(run.current):
        root.append(_suite(scenario, index, hostname, tally))
        total_ms += scenario.timeline["duration_ms"]
    root.attrib.update({"tests": str(tally.tests), "failures": str(tally.failures), "errors": "0",
                        "time": _seconds(total_ms)})
    return root, tally


def write_junit(run: RunSelection, out: Path, hostname: str) -> Tally:
    root, tally = junit_document(run, hostname)
    ET.indent(root)
    out.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    return tally
