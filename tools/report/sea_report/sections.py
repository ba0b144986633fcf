"""Server-side HTML for one scenario: verdict, outcome failures, fault markers, invariant verdicts, probe counts,
phases.

Contract: every function returns an HTML fragment with all timeline-provided text escaped; chart containers
are empty `<div class="chart" data-chart=... data-scenario=...>` elements that assets/report.js fills.
The scenario's verdict comes from the timeline (outcome.status and its verdicts: Scenario.scenario_verdict).
"""
from __future__ import annotations

from html import escape
from typing import Any

from .timelines import Scenario

MAX_FAILED_EVENTS_LISTED = 50


def fmt_ms(value: float | int | None) -> str:
    """'12 345 ms' style; '—' for a missing value."""
    if value is None:
        return "—"
    return f"{value:,.0f} ms".replace(",", "\u202f")


def fmt_number(value: float | int) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return f"{value:,.0f}".replace(",", "\u202f")
    return f"{value:,.3f}".rstrip("0").replace(",", "\u202f")


def verdict_badge(verdict: str) -> str:
    return f'<span class="verdict verdict-{escape(verdict)}">{escape(verdict.upper())}</span>'


def validity_badge(validity: str) -> str:
    return f'<span class="validity validity-{escape(validity)}">{escape(validity)}</span>'


def anchor(index: int) -> str:
    return f"scenario-{index}"


def summary_row(index: int, scenario: Scenario, verdict: str) -> str:
    t = scenario.timeline
    verdicts = t["verdicts"]
    valid = sum(1 for v in verdicts if v["validity"] == "valid")
    events = len(t["events"])
    fails = sum(1 for e in t["events"] if not e["ok"])
    kinds = sorted({f["kind"] for f in t["outcome"]["failures"]})
    return (
        f'<tr><td>{verdict_badge(verdict)}</td>'
        f'<td><a href="#{anchor(index)}">{escape(scenario.test_id)}</a></td>'
        f'<td>{escape(t["fault"].get("description") or "—")}</td>'
        f'<td class="num">{fmt_ms(t["fault"].get("time_to_recover_ms"))}</td>'
        f'<td class="num">{valid}/{len(verdicts)}</td>'
        f'<td class="num">{events} ({fails} failed)</td>'
        f'<td>{escape(", ".join(kinds)) or "—"}</td></tr>'
    )


def _fault_block(t: dict[str, Any]) -> str:
    f = t["fault"]
    healed, start = f.get("healed_ms"), f.get("inject_start_ms")
    window = "—" if healed is None or start is None else fmt_ms(healed - start)
    ttr = f.get("time_to_recover_ms")
    rows = [
        ("fault", escape(f.get("description") or "— (no fault recorded)")),
        ("inject start → inject end", f"{fmt_ms(start)} → {fmt_ms(f.get('inject_end_ms'))}"),
        ("verified effective", fmt_ms(f.get("verified_ms"))),
        ("healed", f"{fmt_ms(healed)} (fault window {window})"),
        ("recovered", fmt_ms(f.get("recovered_ms"))),
        # Only a recovery that happened has a time to recover (schema 2: null otherwise; nothing is substituted).
        ("time to recover (heal → recovered)",
         f'<strong>{fmt_ms(ttr)}</strong>' if ttr is not None else '<span class="note">did not recover</span>'),
        ("started at (wall clock)", escape(str(t.get("started_at", "—")))),
        ("duration (start → timeline written)", fmt_ms(t.get("duration_ms"))),
    ]
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="facts">{body}</table>'


def _outcome_block(scenario: Scenario, note: str) -> str:
    t = scenario.timeline
    status = t["outcome"]["status"]
    failures = t["outcome"]["failures"]
    items = "".join(
        f'<li><code class="failure-kind">{escape(f["kind"])}</code> <span class="evidence">{escape(f["message"])}</span></li>'
        for f in failures
    )
    listed = f'<ul class="failures">{items}</ul>' if items else ""
    why = f' <span class="note">({escape(note)})</span>' if note else ""
    count = f"{len(failures)} failure{'s' if len(failures) != 1 else ''}" if failures else "no failure recorded"
    return f'<p class="outcome">outcome <code class="status">{escape(status)}</code>: {count}{why}</p>{listed}'


def _named_values(values: dict[str, Any]) -> str:
    return "<br>".join(f"{escape(k)} {fmt_number(v)}" for k, v in values.items()) or "—"


def _invariants_table(t: dict[str, Any]) -> str:
    healed = t["fault"].get("healed_ms")
    rows = []
    for v in t["verdicts"]:
        deadline = v["deadline_ms"]
        deadline_text = "judged on collected evidence (no deadline)" if deadline is None else f"within {fmt_ms(deadline)}"
        met = v["met_at_ms"]
        if met is None:
            met_text = "never"
        else:
            after_heal = "" if healed is None else f" (heal {'+' if met >= healed else '−'}{fmt_ms(abs(met - healed))})"
            met_text = f"at {fmt_ms(met)}{after_heal}"
        examples = "".join(f"<li>{escape(e)}</li>" for e in v["examples"])
        examples_html = f'<ul class="examples">{examples}</ul>' if examples else "—"
        rows.append(
            f'<tr class="inv-{escape(v["validity"])}"><td>{validity_badge(v["validity"])}</td>'
            f'<td>{escape(v["id"])}</td><td>{deadline_text}</td><td>{met_text}<br><small>judged at {fmt_ms(v["at_ms"])}</small></td>'
            f'<td class="num">{_named_values(v["counts"])}</td><td class="num">{_named_values(v["measures"])}</td>'
            f'<td class="evidence">{escape(v["evidence"])}</td><td class="evidence">{examples_html}</td></tr>'
        )
    if not rows:
        rows.append('<tr><td colspan="8">no invariant verdict recorded</td></tr>')
    head = ("<tr><th>validity</th><th>invariant</th><th>deadline</th><th>met</th><th>counts</th><th>measures</th>"
            "<th>evidence</th><th>examples</th></tr>")
    return f'<table class="grid invariants"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _probe_table(t: dict[str, Any]) -> str:
    rows = []
    for probe, c in sorted(t["counters"].items()):
        total = c["ok"] + c["fail"]
        share = f"{100.0 * c['fail'] / total:.1f} %" if total else "—"
        lat = " / ".join(f"{c.get(k, 0) / 1000:.1f}" for k in ("latency_min_us", "latency_mean_us", "latency_max_us"))
        rows.append(
            f'<tr><td>{escape(probe)}</td><td class="num ok">{c["ok"]}</td>'
            f'<td class="num {"fail" if c["fail"] else ""}">{c["fail"]}</td><td class="num">{share}</td>'
            f'<td class="num">{lat}</td></tr>'
        )
    if not rows:
        rows.append('<tr><td colspan="5">no probe recorded</td></tr>')
    head = "<tr><th>probe</th><th>ok</th><th>fail</th><th>fail share</th><th>latency min / mean / max (ms)</th></tr>"
    dropped = t.get("events_dropped", 0)
    note = f'<p class="note">{dropped} events beyond the recorder cap are counted here but not plotted.</p>' if dropped else ""
    return f'<table class="grid"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>{note}'


def _phases_table(t: dict[str, Any]) -> str:
    segments = t.get("segments_ms", {})
    rows = "".join(
        f'<tr><td>{escape(p["name"])}</td><td class="num">{fmt_ms(p["at_ms"])}</td>'
        f'<td class="num">{fmt_ms(segments.get(p["name"]))}</td><td>{escape(str(p.get("wall", "")))}</td></tr>'
        for p in t["phases"]
    )
    head = "<tr><th>phase</th><th>began at</th><th>lasted (segments_ms)</th><th>wall clock</th></tr>"
    return f'<table class="grid"><thead>{head}</thead><tbody>{rows}</tbody></table>'


def _failed_events(t: dict[str, Any]) -> str:
    failed = [e for e in t["events"] if not e["ok"]]
    if not failed:
        return "<p>No failed probe events.</p>"
    rows = "".join(
        f'<tr><td class="num">{fmt_ms(e["at_ms"])}</td><td>{escape(e["probe"])}</td>'
        f'<td class="num">{e["latency_us"] / 1000:.1f}</td><td class="evidence">{escape(str(e.get("detail", "")))}</td></tr>'
        for e in failed[:MAX_FAILED_EVENTS_LISTED]
    )
    more = len(failed) - MAX_FAILED_EVENTS_LISTED
    tail = f"<p>… and {more} more.</p>" if more > 0 else ""
    head = "<tr><th>at</th><th>probe</th><th>latency (ms)</th><th>detail</th></tr>"
    return f'<table class="grid"><thead>{head}</thead><tbody>{rows}</tbody></table>{tail}'


def scenario_section(index: int, scenario: Scenario, verdict: str, note: str) -> str:
    t = scenario.timeline
    failed = sum(1 for e in t["events"] if not e["ok"])
    logs = ", ".join(escape(name) for name in scenario.other_artifacts) or "none"
    return f"""
<section class="scenario" id="{anchor(index)}" data-verdict="{escape(verdict)}">
  <h2>{verdict_badge(verdict)} {escape(scenario.test_id)} <small>scenario {escape(scenario.name)}</small></h2>
  {_outcome_block(scenario, note)}
  <p class="source">other artifacts in the directory: {logs}</p>
  {_fault_block(t)}
  <h3>Invariants</h3>
  {_invariants_table(t)}
  <h3>Probes</h3>
  {_probe_table(t)}
  <h3>Timeline</h3>
  <p class="legend-note">Shaded: fault window (inject start → heal). Lines: <span class="mk mk-inject-end">inject end</span>
  <span class="mk mk-heal">heal</span> <span class="mk mk-recovered">recovered</span>. Times are seconds since the scenario started.</p>
  <div class="chart" data-chart="latency" data-scenario="{index}"></div>
  <div class="chart" data-chart="rate" data-scenario="{index}"></div>
  <details><summary>Failed probe events ({failed})</summary>{_failed_events(t)}</details>
  <details><summary>Phases ({len(t["phases"])})</summary>{_phases_table(t)}</details>
</section>"""
