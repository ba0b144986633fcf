"""tools/report/make_junit: one JUnit file per run, each invariant a testcase; valid against junit-10.xsd.

JunitWriter: the structure dashboards read (suites, testcase names, failure types and messages, skipped, counts,
times, timestamp, hostname, run selection, schema errors). No validator needed.
JunitSchema: the written documents validate against the vendored Jenkins xunit-plugin schema
(tests/report/junit-10.xsd) with xmllint (Debian's libxml2-utils), and deliberately broken documents are rejected,
so a validator that accepts anything cannot pass. Without xmllint the class fails when SEA_REQUIRE_ALL=1 (CI) and
skips otherwise, printing SKIP_LINE (ctest's SKIP_REGULAR_EXPRESSION for this test).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

from support import (ARTIFACTS, FIXTURE_RUN, JUNIT_XSD, OLDER_RUN, SETUP_FAILURES, make_junit, read_timeline, write_timeline)

NATS = "NatsPartitionMesh.AckedMessagesReachMirrorExactlyOnce"
OPA = "OpaRestart.GatewayFailsClosedAndRecovers"
OBSERVE = "OpenobserveStall.CollectorQueuesAndDeliversEverySpan"
POSTGRES = "PostgresRestartOutbox.NoRowLostOrDuplicated"
SYNTHETIC = "Synthetic.FaultNeverHealed"
HOST = "ci-runner-7"
SKIP_LINE = "SEA-SKIP: no JUnit schema validator (xmllint)"


def five_kinds(root: Path) -> Path:
    """One run holding each kind of scenario: passed (nats), an invalid invariant (opa), an invalid and an unknown
    invariant (synthetic), stack-not-steady (openobserve, no verdict) and skipped (postgres, no verdict)."""
    artifacts = root / "artifacts"
    for name in (NATS, OPA, SYNTHETIC):
        shutil.copytree(ARTIFACTS / name, artifacts / name)
    shutil.copytree(SETUP_FAILURES, artifacts, dirs_exist_ok=True)
    return artifacts


def cases(suite: ET.Element) -> dict[str, ET.Element]:
    return {case.get("name"): case for case in suite.findall("testcase")}


class JunitWriter(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="sea-junit-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.out = self.tmp / "chaos-invariants.junit.xml"

    def write(self, artifacts: Path, *args: str) -> ET.Element:
        done = make_junit("--artifacts", artifacts, "--out", self.out, "--hostname", HOST, *args)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.stdout = done.stdout
        return ET.parse(self.out).getroot()

    def suites(self, root: ET.Element) -> dict[str, ET.Element]:
        return {s.get("name"): s for s in root.findall("testsuite")}

    def test_each_invariant_is_a_testcase_of_its_scenario(self) -> None:
        root = self.write(five_kinds(self.tmp))
        self.assertEqual(root.tag, "testsuites")
        suites = self.suites(root)
        self.assertEqual(list(suites), ["nats_partition_mesh", "opa_restart", "openobserve_stall", "postgres_restart_outbox",
                                        "synthetic_fault_never_healed"])  # artifact-directory order
        nats = cases(suites["nats_partition_mesh"])
        self.assertEqual(sorted(nats), ["nats_partition_mesh/a publishes-acked-during-partition",
                                        "nats_partition_mesh/b mirror-exactly-once", "nats_partition_mesh/c link-up-again"])
        for case in nats.values():
            self.assertEqual(case.get("classname"), "nats_partition_mesh")
            self.assertEqual([child.tag for child in case], ["system-out"])  # passed: the evidence, no failure
        self.assertIn("evidence: 177 acked ids", nats["nats_partition_mesh/b mirror-exactly-once"].find("system-out").text)

    def test_an_invalid_invariant_fails_with_its_evidence_and_examples(self) -> None:
        opa = cases(self.suites(self.write(five_kinds(self.tmp)))["opa_restart"])
        self.assertEqual(len(opa), 3)
        failure = opa["opa_restart/a never-allow-while-opa-down"].find("failure")
        self.assertEqual(failure.get("type"), "invariant-violated")
        message = failure.get("message")
        self.assertTrue(message.startswith("15 gateway answers, 7 during the 643 ms OPA outage: 7 allowed while OPA was down"), message)
        self.assertIn(" — examples: #1 alice -> ok 200 decision='allow' in 3 ms (+124 ms); #2 mallory", message)
        self.assertIn("#5 alice -> ok 200 decision='allow' in 2 ms (+202 ms)", message)
        self.assertNotIn("\n", message)
        for line in ("counts: answers=15, during-outage=7, fail-closed=0, hung=0, violations=7",
                     "measures: max_latency_ms=502.8, outage_ms=643.0", "deadline: none (judged on collected evidence)",
                     "met at: never", f"test {OPA}, run {FIXTURE_RUN}"):
            self.assertIn(line, failure.text)
        self.assertIsNone(opa["opa_restart/c decisions-return"].find("failure"))
        self.assertIsNone(opa["opa_restart/b liveness-stays-up"].find("failure"))

    def test_an_unknown_invariant_fails_as_unknown(self) -> None:
        synthetic = cases(self.suites(self.write(five_kinds(self.tmp)))["synthetic_fault_never_healed"])
        self.assertEqual(synthetic["synthetic_fault_never_healed/b echo-after-heal"].find("failure").get("type"), "invariant-unknown")
        self.assertEqual(synthetic["synthetic_fault_never_healed/a echo-returns"].find("failure").get("type"), "invariant-violated")
        self.assertEqual(len(synthetic), 2)  # both failures are the verdicts': no setup testcase

    def test_a_scenario_that_failed_before_any_verdict_is_its_setup_testcase(self) -> None:
        suite = self.suites(self.write(five_kinds(self.tmp)))["openobserve_stall"]
        self.assertEqual(list(cases(suite)), ["openobserve_stall/setup"])
        failure = cases(suite)["openobserve_stall/setup"].find("failure")
        self.assertEqual(failure.get("type"), "stack-not-steady")
        self.assertTrue(failure.get("message").startswith("STACK NOT STEADY [openobserve_stall]: collector health"))
        self.assertIn("stack-not-steady: STACK NOT STEADY", failure.text)
        self.assertEqual((suite.get("tests"), suite.get("failures"), suite.get("skipped")), ("1", "1", "0"))

    def test_a_skipped_scenario_is_skipped(self) -> None:
        suite = self.suites(self.write(five_kinds(self.tmp)))["postgres_restart_outbox"]
        case = cases(suite)["postgres_restart_outbox/setup"]
        self.assertIsNone(case.find("failure"))
        self.assertIn("PREFLIGHT: image sea-chaos/sea-mq-worker:local not found", case.find("skipped").get("message"))
        self.assertEqual((suite.get("tests"), suite.get("failures"), suite.get("skipped")), ("1", "0", "1"))

    def test_counts_times_timestamp_and_hostname(self) -> None:
        root = self.write(five_kinds(self.tmp))
        total_tests = total_failures = 0
        for suite in root.findall("testsuite"):
            testcases = suite.findall("testcase")
            failures = sum(1 for c in testcases if c.find("failure") is not None)
            skipped = sum(1 for c in testcases if c.find("skipped") is not None)
            self.assertEqual(suite.get("tests"), str(len(testcases)), suite.get("name"))
            self.assertEqual(suite.get("failures"), str(failures), suite.get("name"))
            self.assertEqual(suite.get("skipped"), str(skipped), suite.get("name"))
            self.assertEqual(suite.get("errors"), "0")
            self.assertEqual(suite.get("hostname"), HOST)
            total_tests += len(testcases)
            total_failures += failures
        self.assertEqual((root.get("tests"), root.get("failures"), root.get("errors")), (str(total_tests), str(total_failures), "0"))
        self.assertEqual((total_tests, total_failures), (10, 4))
        self.assertIn(f"run {FIXTURE_RUN}: 5 scenarios, 10 testcases, 4 failed, 1 skipped", self.stdout)
        suites = self.suites(root)
        opa = suites["opa_restart"]
        self.assertEqual(opa.get("time"), "7.244")  # duration_ms
        self.assertEqual(opa.get("timestamp"), "2026-11-27T00:58:47.966+00:00")  # started_at
        self.assertEqual(root.get("time"), f"{(24843 + 7244 + 79893 + 38 + 5000) / 1000:.3f}")
        opa_cases = cases(opa)
        self.assertEqual(opa_cases["opa_restart/c decisions-return"].get("time"), "0.009")  # met_at 6439 - healed 6430
        self.assertEqual(opa_cases["opa_restart/a never-allow-while-opa-down"].get("time"), "0.000")  # never met
        self.assertEqual(cases(suites["nats_partition_mesh"])["nats_partition_mesh/b mirror-exactly-once"].get("time"), "3.741")

    def test_properties_name_the_run_and_time_to_recover_only_when_it_recovered(self) -> None:
        suites = self.suites(self.write(five_kinds(self.tmp)))

        def props(name: str) -> dict[str, str]:
            return {p.get("name"): p.get("value") for p in suites[name].find("properties")}

        nats = props("nats_partition_mesh")
        self.assertEqual((nats["run.id"], nats["test"], nats["outcome.status"], nats["time_to_recover_ms"]),
                         (FIXTURE_RUN, NATS, "passed", "3742"))
        self.assertNotIn("time_to_recover_ms", props("synthetic_fault_never_healed"))  # never healed
        self.assertNotIn("time_to_recover_ms", props("openobserve_stall"))

    def test_only_the_selected_run_is_written(self) -> None:
        artifacts = five_kinds(self.tmp)
        newer = read_timeline(OPA)
        newer["run"] = {"id": "run-newer", "started_at": "2026-11-28T09:00:00.000Z"}
        write_timeline(artifacts, "Newer.Opa", newer)
        older_v1 = read_timeline(NATS)
        del older_v1["schema_version"]
        older_v1["run"] = {"id": OLDER_RUN, "started_at": "2026-11-20T09:00:00.000Z"}
        write_timeline(artifacts, "Older.Nats", older_v1)
        root = self.write(artifacts)  # default: the newest run
        self.assertEqual(list(self.suites(root)), ["opa_restart"])
        self.assertEqual(self.suites(root)["opa_restart"].find("properties")[0].get("value"), "run-newer")
        self.assertIn("run run-newer: 1 scenario, 3 testcases, 1 failed, 0 skipped; 6 timelines of other runs ignored", self.stdout)
        root = self.write(artifacts, "--run-id", FIXTURE_RUN)
        self.assertEqual(len(root.findall("testsuite")), 5)
        root = self.write(artifacts, "--run-id", "run-that-ran-nothing")
        self.assertEqual((root.findall("testsuite"), root.get("tests")), ([], "0"))
        self.assertIn("no scenario ran", self.stdout)

    def test_a_timeline_of_another_schema_in_the_run_is_one_line_naming_the_fix(self) -> None:
        artifacts = five_kinds(self.tmp)
        timeline = read_timeline(OPA)
        timeline["schema_version"] = 1
        path = write_timeline(artifacts, OPA, timeline)
        done = make_junit("--artifacts", artifacts, "--out", self.out)
        self.assertEqual(done.returncode, 2, done.stdout)
        self.assertEqual(done.stderr.strip().splitlines(),
                         [f"make_junit: error: {path} has schema_version 1; this tool reads timeline schema_version 2 only — "
                          "re-run the scenario with this build"])
        self.assertFalse(self.out.exists())

    def test_a_passed_outcome_without_verdicts_and_a_failed_one_without_failures_are_not_green(self) -> None:
        artifacts = self.tmp / "odd"
        empty = read_timeline(NATS)
        empty["verdicts"] = []
        write_timeline(artifacts, NATS, empty)
        unexplained = read_timeline(OPA)
        unexplained["outcome"] = {"status": "failed", "failures": []}
        for verdict in unexplained["verdicts"]:
            verdict["validity"] = "valid"
        write_timeline(artifacts, OPA, unexplained)
        suites = self.suites(self.write(artifacts))
        self.assertEqual(cases(suites["nats_partition_mesh"])["nats_partition_mesh/setup"].find("failure").get("type"), "no-verdict")
        failure = cases(suites["opa_restart"])["opa_restart/setup"].find("failure")
        self.assertEqual((failure.get("type"), failure.get("message")), ("other", "the scenario failed without recording a failure"))

    def test_missing_artifacts_is_one_line(self) -> None:
        done = make_junit("--artifacts", self.tmp / "absent", "--out", self.out)
        self.assertEqual(done.returncode, 2)
        self.assertIn("does not exist", done.stderr)


def xmllint() -> str | None:
    return shutil.which("xmllint")


def validate(document: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([xmllint(), "--noout", "--schema", str(JUNIT_XSD), str(document)], capture_output=True,
                          text=True, timeout=30, check=False)


class JunitSchema(unittest.TestCase):
    def setUp(self) -> None:
        if xmllint() is None:
            if os.environ.get("SEA_REQUIRE_ALL") == "1":
                self.fail("xmllint not found: install libxml2-utils (scripts/setup.sh does) — with SEA_REQUIRE_ALL=1 "
                          "the JUnit schema check may not skip")
            print(SKIP_LINE)
            self.skipTest(SKIP_LINE)
        self.tmp = Path(tempfile.mkdtemp(prefix="sea-junit-xsd-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def written(self, artifacts: Path, *args: str) -> Path:
        out = self.tmp / f"out-{len(list(self.tmp.glob('out-*')))}.junit.xml"
        done = make_junit("--artifacts", artifacts, "--out", out, *args)
        self.assertEqual(done.returncode, 0, done.stderr)
        return out

    def assert_valid(self, document: Path) -> None:
        done = validate(document)
        self.assertEqual(done.returncode, 0, f"{document} does not validate against {JUNIT_XSD}:\n{done.stderr}")
        self.assertIn("validates", done.stderr)

    def test_the_vendored_schema_is_the_jenkins_junit_10_xsd(self) -> None:
        text = JUNIT_XSD.read_text(encoding="utf-8")
        self.assertIn("pytest-8.3.4/testing/example_scripts/junit-10.xsd", text)
        self.assertIn("The MIT License (MIT)", text)
        self.assertIn('<xs:pattern value="(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\\.[0-9]{0,3})?"/>', text)

    def test_every_kind_of_scenario_validates(self) -> None:
        self.assert_valid(self.written(five_kinds(self.tmp)))  # passed, invalid, unknown, stack-not-steady, skipped
        self.assert_valid(self.written(ARTIFACTS, "--run-id", FIXTURE_RUN))
        self.assert_valid(self.written(ARTIFACTS, "--run-id", "run-that-ran-nothing"))  # no testsuite at all

    def test_text_xml_cannot_carry_is_escaped_and_still_validates(self) -> None:
        artifacts = self.tmp / "odd-text"
        timeline = read_timeline(OPA)
        timeline["verdicts"][1]["evidence"] = "bell \x07 nul-ish \x1b[31m red ]]> <&> \"quoted\" \U0001F4A5"
        timeline["verdicts"][1]["examples"] = ["line one\nline two\ttab"]
        write_timeline(artifacts, OPA, timeline)
        document = self.written(artifacts)
        self.assert_valid(document)
        failure = ET.parse(document).getroot().find(".//failure")
        self.assertIn("bell \\x07 nul-ish \\x1b[31m red ]]> <&> \"quoted\" \U0001F4A5 — examples: line one line two tab",
                      failure.get("message"))

    def test_the_validator_rejects_broken_documents(self) -> None:
        """Each sabotage below breaks one rule of junit-10.xsd; xmllint must reject every one (it is no rubber stamp)."""
        good = self.written(five_kinds(self.tmp)).read_text(encoding="utf-8")
        def rename_first_failure(text: str) -> str:
            head, tail = text.split('<failure type="invariant-violated"', 1)
            return head + '<broken type="invariant-violated"' + tail.replace("</failure>", "</broken>", 1)

        sabotages = {
            "testcase without name": lambda t: t.replace('<testcase classname="opa_restart" name="opa_restart/c decisions-return"',
                                                         '<testcase classname="opa_restart"', 1),
            "suite time with 4 decimals": lambda t: t.replace('time="7.244"', 'time="7.2440"', 1),
            "suite without tests count": lambda t: t.replace('<testsuite name="opa_restart" tests="3" ', '<testsuite name="opa_restart" ', 1),
            "attribute the schema does not know": lambda t: t.replace('<testsuites name="sea-chaos invariants"',
                                                                      '<testsuites name="sea-chaos invariants" skipped="1"', 1),
            "element the schema does not know": rename_first_failure,
        }
        for what, sabotage in sabotages.items():
            with self.subTest(what):
                text = sabotage(good)
                self.assertNotEqual(text, good, f"{what}: the sabotage changed nothing")
                broken = self.tmp / f"broken-{what.replace(' ', '-')}.xml"
                broken.write_text(text, encoding="utf-8")
                ET.parse(broken)  # still well-formed: only the schema can reject it
                done = validate(broken)
                self.assertNotEqual(done.returncode, 0, f"{what}: xmllint accepted a broken document {broken}")
                self.assertIn("fails to validate", done.stderr)


if __name__ == "__main__":
    unittest.main()
