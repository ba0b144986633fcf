"""Assembles the single self-contained report page.

Contract: `render_page(scenarios, verdicts, library)` returns the complete HTML text (`verdicts[i]` = scenario i's
(verdict, note) from Scenario.scenario_verdict). Everything the page needs
is inline: the charting library (uPlot, read from node_modules by `load_library`), our CSS and JS from
assets/, and the plotted data as one JSON blob in <script id="sea-report-data">. Opening the file needs no
network. Charts are drawn in the browser by assets/report.js, which marks each chart container with
`data-rendered="N points"` once drawn (see that file for the full marking contract).
"""
from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from .sections import scenario_section, summary_row
from .timelines import ReportInputError, RunSelection, Scenario

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
UPLOT_JS = Path("uplot/dist/uPlot.iife.min.js")
UPLOT_CSS = Path("uplot/dist/uPlot.min.css")


@dataclass
class Library:
    js: str
    css: str
    version: str


def _inline_safe(text: str, what: str) -> str:
    if "</script" in text.lower() or "</style" in text.lower():
        raise ReportInputError(f"{what} contains a closing </script> or </style> tag and cannot be inlined")
    return text


def load_library(node_modules: Path) -> Library:
    """Reads uPlot from `node_modules`; a missing install raises ReportInputError naming the command to run."""
    js_path, css_path = node_modules / UPLOT_JS, node_modules / UPLOT_CSS
    if not js_path.is_file() or not css_path.is_file():
        raise ReportInputError(
            f"charting library not installed: {js_path} is missing — run `npm ci --prefix tools/report` "
            "(from the repository root) first"
        )
    version = "unknown"
    package_json = node_modules / "uplot" / "package.json"
    if package_json.is_file():
        version = json.loads(package_json.read_text(encoding="utf-8")).get("version", "unknown")
    return Library(
        _inline_safe(js_path.read_text(encoding="utf-8"), str(js_path)),
        _inline_safe(css_path.read_text(encoding="utf-8"), str(css_path)),
        version,
    )


def _plot_data(scenario: Scenario) -> dict[str, Any]:
    """Compact columnar form of what report.js plots (events sorted by time)."""
    t = scenario.timeline
    events = sorted(t["events"], key=lambda e: e["at_ms"])
    probes = sorted({e["probe"] for e in events} | set(t["counters"]))
    index = {p: i for i, p in enumerate(probes)}
    fault = t["fault"]
    return {
        "id": scenario.test_id,
        "probes": probes,
        "t_ms": [e["at_ms"] for e in events],
        "probe": [index[e["probe"]] for e in events],
        "ok": [1 if e["ok"] else 0 for e in events],
        "latency_us": [e["latency_us"] for e in events],
        "fault": {k: fault.get(k) for k in ("inject_start_ms", "inject_end_ms", "healed_ms", "recovered_ms")},
        "phases": [{"name": p["name"], "at_ms": p["at_ms"]} for p in t["phases"]],
    }


def _json_for_script(value: Any) -> str:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _asset(name: str) -> str:
    path = ASSETS_DIR / name
    try:
        return _inline_safe(path.read_text(encoding="utf-8"), str(path))
    except OSError as err:
        raise ReportInputError(f"report asset {path} unreadable: {err.strerror}") from err


def _run_line(run: RunSelection | None, scenario_count: int, tally: str) -> str:
    """What the page describes: one run, its start, what it ran, and how many other timelines were left out."""
    if run is None:
        return f"{scenario_count} scenario(s): {escape(tally)}."
    name = f"Run <code class=\"run-id\">{escape(run.run_id)}</code>" if run.run_id else "No run is named by any timeline"
    started = f", started {escape(run.started_at)}" if run.started_at else ""
    ran = f"{scenario_count} scenario(s): {escape(tally)}." if scenario_count else "<strong>no scenario ran</strong> (no timeline of this run)."
    ignored = (f' <span class="ignored">{run.ignored} timeline(s) of other runs ignored (older artifacts, not this run).</span>' if run.ignored else "")
    return f'{name}{started}: {ran}{ignored}'


def render_page(scenarios: list[Scenario], verdicts: list[tuple[str, str]], library: Library, title: str,
                run: RunSelection | None = None) -> str:
    summary_rows = "".join(summary_row(i, s, verdicts[i][0]) for i, s in enumerate(scenarios))
    sections = "".join(scenario_section(i, s, *verdicts[i]) for i, s in enumerate(scenarios))
    counts = {v: sum(1 for verdict, _ in verdicts if verdict == v) for v in ("pass", "fail", "skipped", "unknown")}
    tally = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
    generated = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    data = _json_for_script([_plot_data(s) for s in scenarios])
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
<!-- Charting: uPlot {escape(library.version)} (MIT), vendored through npm (tools/report/package-lock.json) and inlined. -->
<style>{library.css}</style>
<style>{_asset("report.css")}</style>
</head>
<body data-report-status="loading">
<div id="report-error" hidden></div>
<h1>{escape(title)}</h1>
<p class="generated">Generated {generated}.</p>
<p class="run" data-run-id="{escape(run.run_id or '') if run else ''}" data-scenarios="{len(scenarios)}" data-ignored="{run.ignored if run else 0}">{_run_line(run, len(scenarios), tally)}</p>
<table class="grid summary">
<thead><tr><th>verdict</th><th>test</th><th>fault</th><th>time to recover</th><th>invariants valid</th><th>probe events</th><th>failures</th></tr></thead>
<tbody>{summary_rows}</tbody>
</table>
{sections}
<script id="sea-report-data" type="application/json">{data}</script>
<script>{library.js}</script>
<script>{_asset("report.js")}</script>
</body>
</html>
"""
