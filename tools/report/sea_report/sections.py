"""Server-side HTML for one scenario: verdict, fault markers, invariants, probe counts, phases, failures.

Contract: every function returns an HTML fragment with all timeline-provided text escaped; chart containers
are empty `<div class="chart" data-chart=... data-scenario=...>` elements that assets/report.js fills.
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


def verdict_badge(verdict: str) -> str:
    return f'<span class="verdict verdict-{escape(verdict)}">{escape(verdict.upper())}</span>'


def anchor(index: int) -> str:
    return f"scenario-{index}"


def summary_row(index: int, scenario: Scenario, verdict: str, source: str) -> str:
    t = scenario.timeline
    invariants = t["invariants"]
    passed = sum(1 for i in invariants if i["verdict"] == "pass")
    events = len(t["events"])
    fails = sum(1 for e in t["events"] if not e["ok"])
    return (
        f'<tr><td>{verdict_badge(verdict)}</td>'
        f'<td><a href="#{anchor(index)}">{escape(scenario.test_id)}</a></td>'
        f'<td>{escape(t["fault"].get("description") or "—")}</td>'
        f'<td class="num">{fmt_ms(t["fault"].get("time_to_recover_ms"))}</td>'
        f'<td class="num">{passed}/{len(invariants)}</td>'
        f'<td class="num">{events} ({fails} failed)</td>'
        f'<td>{escape(source)}</td></tr>'
    )


def _fault_block(t: dict[str, Any]) -> str:
    f = t["fault"]
    healed, start = f.get("healed_ms"), f.get("inject_start_ms")
    window = "—" if healed is None or start is None else fmt_ms(healed - start)
    rows = [
        ("fault", escape(f.get("description") or "— (no fault recorded)")),
        ("inject start → inject end", f"{fmt_ms(start)} → {fmt_ms(f.get('inject_end_ms'))}"),
        ("healed", f"{fmt_ms(healed)} (fault window {window})"),
        ("recovered", fmt_ms(f.get("recovered_ms"))),
        ("time to recover (heal → recovered)", f'<strong>{fmt_ms(f.get("time_to_recover_ms"))}</strong>'),
        ("started at (wall clock)", escape(str(t.get("started_at", "—")))),
    ]
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="facts">{body}</table>'


def _invariants_table(t: dict[str, Any]) -> str:
    healed = t["fault"].get("healed_ms")
    rows = []
    for inv in t["invariants"]:
        deadline = "checked once (no deadline)" if inv["deadline_ms"] == 0 else f"within {fmt_ms(inv['deadline_ms'])}"
        met = inv.get("met_at_ms")
        if met is None:
            met_text = "never"
        else:
            after_heal = "" if healed is None else f" (heal {'+' if met >= healed else '−'}{fmt_ms(abs(met - healed))})"
            met_text = f"at {fmt_ms(met)}{after_heal}"
        rows.append(
            f'<tr class="inv-{escape(inv["verdict"])}"><td>{verdict_badge(inv["verdict"])}</td>'
            f'<td>{escape(inv["name"])}</td><td>{deadline}</td><td>{met_text}</td>'
            f'<td class="evidence">{escape(str(inv.get("evidence", "")))}</td></tr>'
        )
    if not rows:
        rows.append('<tr><td colspan="5">no invariants recorded</td></tr>')
    head = "<tr><th>verdict</th><th>invariant</th><th>deadline</th><th>met</th><th>evidence</th></tr>"
    return f'<table class="grid"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


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
    rows = "".join(
        f'<tr><td>{escape(p["name"])}</td><td class="num">{fmt_ms(p["at_ms"])}</td><td>{escape(str(p.get("wall", "")))}</td></tr>'
        for p in t["phases"]
    )
    return f'<table class="grid"><thead><tr><th>phase</th><th>at</th><th>wall clock</th></tr></thead><tbody>{rows}</tbody></table>'


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


def scenario_section(index: int, scenario: Scenario, verdict: str, source: str) -> str:
    t = scenario.timeline
    inv_verdict = scenario.invariant_verdict()
    disagreement = ""
    if source == "junit" and inv_verdict != "unknown" and inv_verdict != verdict:
        disagreement = f' <span class="note">(invariants alone say {escape(inv_verdict)})</span>'
    failed = sum(1 for e in t["events"] if not e["ok"])
    logs = ", ".join(escape(name) for name in scenario.other_artifacts) or "none"
    return f"""
<section class="scenario" id="{anchor(index)}" data-verdict="{escape(verdict)}">
  <h2>{verdict_badge(verdict)} {escape(scenario.test_id)} <small>scenario {escape(scenario.name)}</small></h2>
  <p class="source">verdict from {escape(source)}{disagreement}; other artifacts in the directory: {logs}</p>
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
