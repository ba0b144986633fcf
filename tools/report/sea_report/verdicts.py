"""Scenario verdicts from JUnit XML (gtest `--gtest_output=xml` or `ctest --output-junit`), with a fallback.

Contract:
- `read_junit(paths)` returns {test id: 'pass' | 'fail' | 'skipped'} where a test id is "<Suite>.<Test>"
  (gtest: classname + '.' + name; ctest: the test name, which gtest_discover_tests makes "<Suite>.<Test>").
  A test listed in several files gets its worst verdict (fail > skipped > pass). Unreadable or non-JUnit
  files raise ReportInputError naming the file.
- `scenario_verdict(test_id, junit, invariant_verdict)` returns (verdict, source): the JUnit verdict when the
  test appears there (exactly, or as the unique id ending in ".<Suite>.<Test>" when ctest added a prefix),
  else the verdict derived from the invariants (all pass = pass).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from .timelines import ReportInputError

_SEVERITY = {"pass": 0, "skipped": 1, "fail": 2}


def _testcase_verdict(case: ET.Element) -> str:
    if case.find("failure") is not None or case.find("error") is not None:
        return "fail"
    status = case.get("status", "")
    if status == "fail":
        return "fail"
    if case.find("skipped") is not None or case.get("result") == "skipped" or status in ("notrun", "disabled"):
        return "skipped"
    return "pass"


def _testcase_id(case: ET.Element) -> str:
    name = case.get("name", "")
    classname = case.get("classname", "")
    # ctest writes classname == name ("Suite.Test"); gtest writes classname "Suite" and name "Test".
    if not classname or classname == name or name.startswith(classname + "."):
        return name
    return f"{classname}.{name}"


def read_junit(paths: list[Path]) -> dict[str, str]:
    verdicts: dict[str, str] = {}
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except OSError as err:
            raise ReportInputError(f"--junit {path}: cannot read: {err.strerror}") from err
        except ET.ParseError as err:
            raise ReportInputError(f"--junit {path}: not well-formed XML: {err}") from err
        if root.tag not in ("testsuites", "testsuite"):
            raise ReportInputError(f"--junit {path}: root element is <{root.tag}>, expected <testsuites> or <testsuite>")
        for case in root.iter("testcase"):
            test_id = _testcase_id(case)
            verdict = _testcase_verdict(case)
            previous = verdicts.get(test_id)
            if previous is None or _SEVERITY[verdict] > _SEVERITY[previous]:
                verdicts[test_id] = verdict
    return verdicts


def scenario_verdict(test_id: str, junit: dict[str, str], invariant_verdict: str) -> tuple[str, str]:
    if test_id in junit:
        return junit[test_id], "junit"
    suffixed = [key for key in junit if key.endswith("." + test_id)]
    if len(suffixed) == 1:
        return junit[suffixed[0]], "junit"
    return invariant_verdict, "invariants"
