"""make_report without a browser: verdict sources, input errors, escaping, self-containedness."""
from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

from support import (ARTIFACTS, FIXTURE_RUN, FIXTURES, MAKE_REPORT, NEWER_RUN, OLDER_RUN, REAL_NODE_MODULES, make_report,
                     out_dir, write_run_artifacts)

sys.path.insert(0, str(MAKE_REPORT.resolve().parent))
from sea_report.verdicts import scenario_verdict  # noqa: E402

NATS = "NatsPartitionMesh.AckedMessagesReachMirrorExactlyOnce"
OPA = "OpaRestart.GatewayFailsClosedAndRecovers"
POSTGRES = "PostgresRestartOutbox.NoRowLostOrDuplicated"
SYNTHETIC = "Synthetic.FaultNeverHealed"


def section_verdicts(html: str) -> dict[str, str]:
    found = re.findall(r'<section class="scenario" id="[^"]+" data-verdict="(\w+)">\s*<h2>.*?</span> ([\w.]+) ', html)
    return {test: verdict for verdict, test in found}


class GeneratorTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="sea-report-gen-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def generate_ok(self, *args: str | Path) -> str:
        out = out_dir("generator") / "index.html"
        done = make_report("--artifacts", ARTIFACTS, "--out", out, *args)
        self.assertEqual(done.returncode, 0, done.stderr)
        return out.read_text(encoding="utf-8")

    def assert_input_error(self, done, *fragments: str) -> None:
        self.assertEqual(done.returncode, 2, f"expected exit 2; stdout={done.stdout!r} stderr={done.stderr!r}")
        for fragment in fragments:
            self.assertIn(fragment, done.stderr)

    def write_artifact(self, name: str, text: str) -> Path:
        directory = self.tmp / "artifacts" / name
        directory.mkdir(parents=True)
        (directory / "timeline.json").write_text(text)
        return directory.parent

    def test_verdicts_come_from_ctest_junit_when_given(self) -> None:
        html = self.generate_ok("--junit", FIXTURES / "ctest-junit.xml")
        self.assertEqual(section_verdicts(html), {NATS: "pass", OPA: "fail", POSTGRES: "skipped", SYNTHETIC: "fail"})
        self.assertIn("(invariants alone say fail)", html)  # postgres: skipped by ctest, its invariants failed

    def test_verdicts_come_from_gtest_xml_and_junit_overrides_invariants(self) -> None:
        html = self.generate_ok("--junit", FIXTURES / "gtest-output.xml")
        self.assertEqual(section_verdicts(html)[NATS], "fail")  # all invariants passed, gtest failed it
        self.assertEqual(section_verdicts(html)[OPA], "skipped")

    def test_verdicts_derived_from_invariants_without_junit(self) -> None:
        html = self.generate_ok()
        self.assertEqual(section_verdicts(html), {NATS: "pass", OPA: "fail", POSTGRES: "fail", SYNTHETIC: "fail"})

    def test_report_shows_invariants_ttr_and_probe_counts(self) -> None:
        html = self.generate_ok()
        self.assertIn("a never-allow-while-opa-down", html)
        self.assertIn("within 60\u202f000 ms", html)  # a deadline
        self.assertIn("<strong>3\u202f742 ms</strong>", html)  # NATS time to recover
        self.assertRegex(html, r'<td>opa</td><td class="num ok">6</td><td class="num fail">15</td>')
        self.assertIn("<th>healed</th><td>— (fault window —)</td>", html)  # synthetic: never healed

    def test_page_is_self_contained(self) -> None:
        html = self.generate_ok()
        self.assertNotRegex(html, r"<script[^>]+src=|<link[^>]+href=|@import")
        self.assertIn("uPlot", html)
        self.assertRegex(html, r"Charting: uPlot \d+\.\d+\.\d+")

    def test_timeline_text_is_escaped(self) -> None:
        html = self.generate_ok()
        self.assertIn("timeout &lt;/script&gt;&lt;b&gt;escaped?&lt;/b&gt;", html)
        self.assertNotIn("<b>escaped?", html)

    def test_missing_node_modules_names_the_install_command(self) -> None:
        done = make_report("--artifacts", ARTIFACTS, "--out", self.tmp / "x.html", "--node-modules", self.tmp / "none")
        self.assert_input_error(done, "npm ci --prefix tools/report")
        self.assertFalse((self.tmp / "x.html").exists())

    def test_missing_artifacts_directory_is_named(self) -> None:
        done = make_report("--artifacts", self.tmp / "absent", "--out", self.tmp / "x.html")
        self.assert_input_error(done, str(self.tmp / "absent"), "does not exist")

    def test_empty_artifacts_directory_is_an_error(self) -> None:
        (self.tmp / "empty").mkdir()
        done = make_report("--artifacts", self.tmp / "empty", "--out", self.tmp / "x.html")
        self.assert_input_error(done, "no '<Suite>.<Test>/timeline.json'")

    def test_invalid_json_names_the_file(self) -> None:
        artifacts = self.write_artifact("Bad.Json", "{ not json")
        done = make_report("--artifacts", artifacts, "--out", self.tmp / "x.html")
        self.assert_input_error(done, "Bad.Json/timeline.json", "not valid JSON")

    def test_missing_field_is_named(self) -> None:
        timeline = json.loads((ARTIFACTS / SYNTHETIC / "timeline.json").read_text())
        del timeline["events"][3]["ok"]
        artifacts = self.write_artifact("Bad.Field", json.dumps(timeline))
        done = make_report("--artifacts", artifacts, "--out", self.tmp / "x.html")
        self.assert_input_error(done, "events[3]: missing field 'ok'")

    def test_wrong_type_is_named(self) -> None:
        timeline = json.loads((ARTIFACTS / SYNTHETIC / "timeline.json").read_text())
        timeline["fault"]["healed_ms"] = "soon"
        artifacts = self.write_artifact("Bad.Type", json.dumps(timeline))
        done = make_report("--artifacts", artifacts, "--out", self.tmp / "x.html")
        self.assert_input_error(done, "fault: field 'healed_ms' must be a number or null")

    def test_malformed_junit_is_named(self) -> None:
        bad = self.tmp / "bad.xml"
        bad.write_text("<testsuite><testcase")
        done = make_report("--artifacts", ARTIFACTS, "--out", self.tmp / "x.html", "--junit", bad)
        self.assert_input_error(done, "bad.xml", "not well-formed XML")

    def test_prefixed_ctest_name_matches_and_unknown_falls_back(self) -> None:
        junit = {"chaos.Suite.Test": "fail", "a.Dup.Case": "pass", "b.Dup.Case": "fail"}
        self.assertEqual(scenario_verdict("Suite.Test", junit, "pass"), ("fail", "junit"))
        self.assertEqual(scenario_verdict("Dup.Case", junit, "pass"), ("pass", "invariants"))  # ambiguous
        self.assertEqual(scenario_verdict("Other.Test", junit, "unknown"), ("unknown", "invariants"))

    def test_real_library_is_installed_for_the_browser_tests(self) -> None:
        self.assertTrue((REAL_NODE_MODULES / "uplot" / "dist" / "uPlot.iife.min.js").is_file(),
                        "run `npm ci --prefix tools/report` first")


def section_tests(html: str) -> list[str]:
    return re.findall(r'<section class="scenario" id="[^"]+" data-verdict="\w+">\s*<h2>.*?</span> ([\w.]+) ', html)


def run_marks(html: str) -> tuple[str, int, int]:
    m = re.search(r'<p class="run" data-run-id="([^"]*)" data-scenarios="(\d+)" data-ignored="(\d+)">', html)
    assert m, "no run line in the page"
    return m.group(1), int(m.group(2)), int(m.group(3))


class RunSelectionTest(unittest.TestCase):
    """The report describes exactly one run (issue 11 item 5): the given --run-id, else the newest run."""

    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="sea-report-run-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.artifacts = write_run_artifacts(self.tmp)
        self.out = self.tmp / "index.html"

    def generate(self, *args: str | Path, artifacts: Path | None = None):
        done = make_report("--artifacts", artifacts or self.artifacts, "--out", self.out, *args)
        self.assertEqual(done.returncode, 0, done.stderr)
        return done.stdout, self.out.read_text(encoding="utf-8")

    def test_default_is_the_newest_run_and_older_timelines_are_only_counted(self) -> None:
        stdout, html = self.generate()
        self.assertEqual(section_tests(html), ["Newer.Nats", "Newer.Opa"])
        self.assertEqual(run_marks(html), (NEWER_RUN, 2, 6))
        self.assertIn("started 2026-11-28T09:00:00.000Z", html)
        self.assertIn("6 timeline(s) of other runs ignored", html)
        self.assertNotIn(SYNTHETIC, html)  # the older runs' scenarios are not shown at all
        self.assertIn(f"run {NEWER_RUN}: 2 scenarios, 1 failed; 6 timelines of other runs ignored", stdout)

    def test_given_run_id_selects_that_run(self) -> None:
        _, html = self.generate("--run-id", FIXTURE_RUN)
        self.assertEqual(section_tests(html), [NATS, OPA, POSTGRES, SYNTHETIC])
        self.assertEqual(run_marks(html), (FIXTURE_RUN, 4, 4))
        _, html = self.generate("--run-id", OLDER_RUN)
        self.assertEqual(section_tests(html), ["Older.Synthetic"])

    def test_a_run_that_ran_nothing_says_so(self) -> None:
        stdout, html = self.generate("--run-id", "run-that-ran-nothing")
        self.assertEqual(section_tests(html), [])
        self.assertEqual(run_marks(html), ("run-that-ran-nothing", 0, 8))
        self.assertIn("<strong>no scenario ran</strong>", html)
        self.assertIn("run run-that-ran-nothing: no scenario ran; 8 timelines of other runs ignored", stdout)
        self.assertNotIn("4 scenario", html)

    def test_a_run_without_any_artifacts_directory_says_so(self) -> None:
        stdout, html = self.generate("--run-id", "run-x", artifacts=self.tmp / "absent")
        self.assertEqual(run_marks(html), ("run-x", 0, 0))
        self.assertIn("no scenario ran", stdout)

    def test_only_timelines_that_name_no_run_are_never_current(self) -> None:
        legacy = self.tmp / "legacy"
        (legacy / "Legacy.NoRunNamed").mkdir(parents=True)
        (legacy / "Legacy.NoRunNamed" / "timeline.json").write_text((self.artifacts / "Legacy.NoRunNamed" / "timeline.json").read_text())
        _, html = self.generate(artifacts=legacy)
        self.assertEqual(section_tests(html), [])
        self.assertEqual(run_marks(html), ("", 0, 1))
        self.assertIn("No run is named by any timeline", html)

    def test_bad_run_ids_are_named(self) -> None:
        done = make_report("--artifacts", self.artifacts, "--out", self.out, "--run-id", "a b")
        self.assertEqual(done.returncode, 2)
        self.assertIn("--run-id 'a b'", done.stderr)
        timeline = json.loads((ARTIFACTS / SYNTHETIC / "timeline.json").read_text())
        timeline["run"] = {"id": "x" * 65, "started_at": "2026-11-27T10:00:00.000Z"}
        bad = self.tmp / "bad" / "Bad.Run"
        bad.mkdir(parents=True)
        (bad / "timeline.json").write_text(json.dumps(timeline))
        done = make_report("--artifacts", bad.parent, "--out", self.out)
        self.assertEqual(done.returncode, 2)
        self.assertIn("Bad.Run/timeline.json run: field 'id'", done.stderr)
        del timeline["run"]["started_at"]
        (bad / "timeline.json").write_text(json.dumps({**timeline, "run": {"id": "ok"}}))
        done = make_report("--artifacts", bad.parent, "--out", self.out)
        self.assertIn("run: missing field 'started_at'", done.stderr)


if __name__ == "__main__":
    unittest.main()
