"""The report in a real headless Chromium: charts drawn and visible; a broken plot is caught.

RenderInChromium: the fixture report must render every chart (DOM marks from assets/report.js, exact point counts)
and its screenshot must show the fault window and probe points.
BrokenPlotDetected: the same checks must fail when the charting library throws or silently draws nothing, so
RenderInChromium cannot pass on a page whose plots are gone.
"""
from __future__ import annotations

import shutil
import unittest
from pathlib import Path

import render_check
from support import (ARTIFACTS, NEWER_RUN, REAL_NODE_MODULES, event_counts, fixture_event_counts, make_report, out_dir,
                     write_run_artifacts)

SABOTAGED_LIBRARIES = {
    "throws": "var uPlot = function () { throw new Error('sabotaged uPlot'); };",
    "draws_nothing": "var uPlot = function () {}; uPlot.paths = { stepped: function () { return null; } };",
}


def generate(out: Path, node_modules: Path = REAL_NODE_MODULES) -> Path:
    html = out / "index.html"
    done = make_report("--artifacts", ARTIFACTS, "--out", html, "--node-modules", node_modules)
    if done.returncode != 0:
        raise AssertionError(f"make_report failed: {done.stderr}")
    return html


class RenderInChromium(unittest.TestCase):
    def test_every_chart_renders_and_is_visible(self) -> None:
        out = out_dir("rendered")
        html = generate(out)
        problems = render_check.report_problems(html, fixture_event_counts(), out / "screenshot.png")
        if problems:
            self.fail(f"report {html} (screenshot {out / 'screenshot.png'}) did not render:\n  " + "\n  ".join(problems))


class RunFilteredRender(unittest.TestCase):
    """In Chromium, a report over several runs draws the charts of the newest run only; a run that ran nothing
    draws none and says so."""

    def test_only_the_newest_runs_charts_are_drawn(self) -> None:
        out = out_dir("run-filtered")
        shutil.rmtree(out / "artifacts", ignore_errors=True)
        artifacts = write_run_artifacts(out)
        html = out / "index.html"
        done = make_report("--artifacts", artifacts, "--out", html)
        self.assertEqual(done.returncode, 0, done.stderr)
        problems = render_check.report_problems(html, event_counts(artifacts, ["Newer.Nats", "Newer.Opa"]), out / "screenshot.png")
        self.assertEqual(problems, [], f"report {html} (screenshot {out / 'screenshot.png'})")
        self.assertIn(f'data-run-id="{NEWER_RUN}"', html.read_text(encoding="utf-8"))

    def test_a_run_that_ran_nothing_renders_no_chart_and_says_so(self) -> None:
        out = out_dir("run-empty")
        html = out / "index.html"
        done = make_report("--artifacts", ARTIFACTS, "--out", html, "--run-id", "run-that-ran-nothing")
        self.assertEqual(done.returncode, 0, done.stderr)
        dom = render_check.render(html, out / "screenshot.png")
        self.assertEqual(render_check.chart_problems(dom, []), [])
        self.assertIn("no scenario ran", dom)
        self.assertIn("4 timeline(s) of other runs ignored", dom)


class BrokenPlotDetected(unittest.TestCase):
    def check_sabotaged(self, name: str) -> str:
        out = out_dir(f"sabotaged-{name}")
        fake = out / "node_modules"
        shutil.rmtree(fake, ignore_errors=True)
        shutil.copytree(REAL_NODE_MODULES, fake)
        (fake / "uplot" / "dist" / "uPlot.iife.min.js").write_text(SABOTAGED_LIBRARIES[name])
        problems = render_check.report_problems(generate(out, fake), fixture_event_counts(), out / "screenshot.png")
        text = "\n".join(problems)
        self.assertIn("not rendered (no data-rendered)", text)
        self.assertIn("fault-window pixels", text)
        self.assertIn("probe-point pixels", text)
        return text

    def test_throwing_library_is_caught(self) -> None:
        self.assertIn("data-report-status> is 'error: sabotaged uPlot'", self.check_sabotaged("throws"))

    def test_library_that_draws_nothing_is_caught(self) -> None:
        self.assertIn("data-report-status> is 'loading'", self.check_sabotaged("draws_nothing"))


if __name__ == "__main__":
    unittest.main()
