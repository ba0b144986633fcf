"""make_report without a browser: verdicts from the timeline (schema 2), input errors, escaping, self-containedness."""
from __future__ import annotations

import json
import re
import shutil
import tempfile
import unittest
from pathlib import Path

from support import (ARTIFACTS, FIXTURE_RUN, NEWER_RUN, OLDER_RUN, REAL_NODE_MODULES, SETUP_FAILURES, make_report, out_dir,
                     read_timeline, write_run_artifacts, write_timeline)

NATS = "NatsPartitionMesh.AckedMessagesReachMirrorExactlyOnce"
OPA = "OpaRestart.GatewayFailsClosedAndRecovers"
OBSERVE = "OpenobserveStall.CollectorQueuesAndDeliversEverySpan"
POSTGRES = "PostgresRestartOutbox.NoRowLostOrDuplicated"
SYNTHETIC = "Synthetic.FaultNeverHealed"


def section_verdicts(html: str) -> dict[str, str]:
    found = re.findall(r'<section class="scenario" id="[^"]+" data-verdict="(\w+)">\s*<h2>.*?</span> ([\w.]+) ', html)
    return {test: verdict for verdict, test in found}


def section_of(html: str, test: str) -> str:
    sections = [part.split("</section>")[0] for part in html.split('<section class="scenario"')[1:]]
    found = [part for part in sections if f"</span> {test} <small>" in part]
    assert len(found) == 1, f"{len(found)} sections for {test}"
    return found[0]


class GeneratorTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="sea-report-gen-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def generate_ok(self, *args: str | Path, artifacts: Path = ARTIFACTS) -> str:
        out = out_dir("generator") / "index.html"
        done = make_report("--artifacts", artifacts, "--out", out, *args)
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

    def with_setup_failures(self) -> Path:
        """The fixture run plus its stack-not-steady (openobserve) and skipped (postgres, replacing the failed one) scenarios."""
        artifacts = self.tmp / "all"
        shutil.copytree(ARTIFACTS, artifacts)
        shutil.rmtree(artifacts / POSTGRES)
        shutil.copytree(SETUP_FAILURES, artifacts, dirs_exist_ok=True)
        return artifacts

    def test_verdicts_come_from_the_timeline_outcome(self) -> None:
        html = self.generate_ok()
        self.assertEqual(section_verdicts(html), {NATS: "pass", OPA: "fail", POSTGRES: "fail", SYNTHETIC: "fail"})
        html = self.generate_ok(artifacts=self.with_setup_failures())
        self.assertEqual(section_verdicts(html), {NATS: "pass", OPA: "fail", OBSERVE: "fail", POSTGRES: "skipped", SYNTHETIC: "fail"})

    def test_a_passed_outcome_its_verdicts_contradict_is_never_green(self) -> None:
        timeline = read_timeline(NATS)
        timeline["verdicts"][1]["validity"] = "unknown"
        write_timeline(self.tmp / "a", NATS, timeline)
        html = self.generate_ok(artifacts=self.tmp / "a")
        self.assertEqual(section_verdicts(html), {NATS: "fail"})
        self.assertIn("outcome says passed but not every verdict is valid: a publishes-acked-during-partition", html)
        timeline["verdicts"] = []
        write_timeline(self.tmp / "b", NATS, timeline)
        html = self.generate_ok(artifacts=self.tmp / "b")
        self.assertEqual(section_verdicts(html), {NATS: "fail"})
        self.assertIn("outcome says passed but no invariant verdict was recorded", html)

    def test_outcome_failures_are_shown_with_kind_and_message(self) -> None:
        html = self.generate_ok(artifacts=self.with_setup_failures())
        observe = section_of(html, OBSERVE)
        self.assertIn('outcome <code class="status">failed</code>: 1 failure', observe)
        self.assertIn('<code class="failure-kind">stack-not-steady</code> <span class="evidence">STACK NOT STEADY [openobserve_stall]', observe)
        self.assertIn("no invariant verdict recorded", observe)
        self.assertIn('<code class="failure-kind">preflight</code>', section_of(html, POSTGRES))
        self.assertIn('outcome <code class="status">passed</code>: no failure recorded', section_of(html, NATS))

    def test_report_shows_every_verdict_field(self) -> None:
        html = self.generate_ok()
        opa = section_of(html, OPA)
        row = re.search(r'<tr class="inv-invalid">.*?</tr>', opa, re.S).group(0)
        self.assertIn('<span class="validity validity-invalid">invalid</span>', row)
        self.assertIn("<td>a never-allow-while-opa-down</td>", row)
        self.assertIn("judged on collected evidence (no deadline)", row)  # deadline_ms null
        self.assertIn("never", row)  # met_at_ms null
        self.assertIn("violations 7", row)  # counts
        self.assertIn("outage_ms 643", row)  # measures
        self.assertIn("max_latency_ms 502.8", row)
        self.assertIn("7 allowed while OPA was down", row)  # evidence
        self.assertIn("<li>#1 alice -&gt; ok 200 decision=&#x27;allow&#x27; in 3 ms (+124 ms)</li>", row)  # examples
        self.assertIn("within 60\u202f000 ms", opa)  # a deadline
        self.assertIn("at 6\u202f439 ms (heal +9 ms)", opa)  # met_at and its distance to the heal
        self.assertIn('<span class="validity validity-unknown">unknown</span>', section_of(html, SYNTHETIC))
        self.assertRegex(opa, r'<td>opa</td><td class="num ok">6</td><td class="num fail">15</td>')

    def test_time_to_recover_only_when_it_recovered(self) -> None:
        html = self.generate_ok()
        self.assertIn("<strong>3\u202f742 ms</strong>", section_of(html, NATS))
        for test in (POSTGRES, SYNTHETIC):  # failed runs: null time_to_recover_ms, nothing substituted
            section = section_of(html, test)
            self.assertIn('<th>time to recover (heal → recovered)</th><td><span class="note">did not recover</span>', section)
            self.assertNotIn("<strong>", section)
        self.assertIn("<th>healed</th><td>— (fault window —)</td>", section_of(html, SYNTHETIC))  # never healed
        self.assertIn('<td class="num">—</td><td class="num">0/3</td>', html)  # postgres summary row: no TTR, 0 of 3 valid
        self.assertNotIn("182\u202f170", html)  # what a v1 timeline called the time to recover of that failed run

    def test_phases_show_their_segments(self) -> None:
        html = self.generate_ok()
        self.assertIn('<tr><td>lock-wait</td><td class="num">2 ms</td><td class="num">213 ms</td>', section_of(html, NATS))

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

    def test_a_timeline_of_another_schema_in_the_run_is_one_line_naming_the_fix(self) -> None:
        for change, found in (({"schema_version": None}, "has no schema_version (written before schema 2)"),
                              ({"schema_version": 1}, "has schema_version 1"),
                              ({"schema_version": 3}, "has schema_version 3")):
            timeline = read_timeline(OPA)
            timeline.update(change)
            if change["schema_version"] is None:
                del timeline["schema_version"], timeline["verdicts"]
                timeline["invariants"] = []  # what a schema-1 timeline held
            artifacts = self.tmp / f"v{change['schema_version']}"
            path = write_timeline(artifacts, OPA, timeline)
            done = make_report("--artifacts", artifacts, "--out", self.tmp / "x.html")
            self.assert_input_error(done, str(path), found, "reads timeline schema_version 2 only",
                                    "re-run the scenario with this build")
            self.assertEqual(len(done.stderr.strip().splitlines()), 1, done.stderr)
            self.assertFalse((self.tmp / "x.html").exists())

    def test_a_timeline_of_another_schema_in_another_run_is_only_counted(self) -> None:
        artifacts = self.tmp / "mixed"
        shutil.copytree(ARTIFACTS, artifacts)
        old = read_timeline(OPA)
        del old["schema_version"]
        old["run"] = {"id": OLDER_RUN, "started_at": "2026-11-20T09:00:00.000Z"}
        write_timeline(artifacts, "Older.Opa", old)
        out = self.tmp / "x.html"
        done = make_report("--artifacts", artifacts, "--out", out)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn(f"run {FIXTURE_RUN}: 4 scenarios, 3 failed; 1 timelines of other runs ignored", done.stdout)
        done = make_report("--artifacts", artifacts, "--out", out, "--run-id", OLDER_RUN)
        self.assert_input_error(done, "Older.Opa/timeline.json has no schema_version", "re-run the scenario with this build")

    def test_bad_verdict_fields_are_named(self) -> None:
        for mutate, fragment in (
                (lambda t: t["verdicts"][0].update(validity="pass"), "verdicts[0]: field 'validity' is 'pass', expected one of valid, invalid, unknown"),
                (lambda t: t["verdicts"][1]["counts"].update(violations=-1), "verdicts[1] counts: 'violations' is -1"),
                (lambda t: t["verdicts"][2].pop("met_at_ms"), "verdicts[2]: missing field 'met_at_ms'"),
                (lambda t: t["outcome"].update(status="green"), "outcome: field 'status' is 'green'"),
                (lambda t: t["outcome"]["failures"][0].update(kind="oops"), "outcome.failures[0]: field 'kind' is 'oops'")):
            timeline = read_timeline(OPA)
            mutate(timeline)
            artifacts = self.tmp / "bad" / fragment[:12].replace(" ", "_").replace("[", "").replace("]", "").replace(":", "")
            write_timeline(artifacts, OPA, timeline)
            self.assert_input_error(make_report("--artifacts", artifacts, "--out", self.tmp / "x.html"), fragment)

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
