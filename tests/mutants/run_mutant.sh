#!/usr/bin/env bash
# Runs one chaos scenario against one broken variant ("mutant") of the platform, or against the unbroken
# platform (mutant "baseline"), and judges the run from the timeline.json it wrote (schema_version 2), never
# from its stdout:
#   baseline: passes iff the scenario exits 0 AND its timeline's outcome.status is "passed";
#   mutant:   caught iff the scenario exits non-zero AND every expected invariant letter (a, b, c: the first
#             word of a verdict id) has a verdict with validity "invalid". "unknown" is not caught (the history
#             could not judge), nor is a run that failed only for another reason (stack-not-steady, fault-*,
#             preflight, bad-input): the mutant was not detected by the invariant it targets.
# Each run gets its own artifacts directory (SEA_BUILD_ROOT=<results>/<scenario>.<mutant>, so the timeline is
# <results>/<scenario>.<mutant>/chaos-artifacts/<Suite>.<Test>/timeline.json, emptied before the run) and its own
# SEA_CHAOS_RUN_ID; a timeline carrying another run id is stale and never judged. Mutant runs also get
# SEA_STOP_AT_VIOLATION=<expected letters>: the scenario stops once every targeted invariant is invalid, and
# CHAOS_SCENARIO=<scenario>: in a fault-matrix binary every other case skips.
# Usage: run_mutant.sh <scenario-binary> <scenario> <mutant|baseline> <expected ids, e.g. a,b or -> [VAR=value ...]
# Writes <results dir>/<scenario>.<mutant>.tsv (scenario, mutant, expected, verdict, invariants named = the ids of
# the invalid verdicts) and the full log next to it. Results dir: $SEA_MUTANT_RESULTS (default: ./mutant-results).
# Exit 0: baseline passed / mutant caught; 1: not; 2: bad usage.
set -uo pipefail
[ $# -ge 4 ] || { echo "usage: $0 <binary> <scenario> <mutant|baseline> <expected ids> [VAR=value ...]" >&2; exit 2; }
binary=$1 scenario=$2 mutant=$3 expected=$4
shift 4
[ -x "$binary" ] || { echo "run_mutant: scenario binary '$binary' not found or not executable" >&2; exit 2; }
[[ "$scenario" =~ ^[a-z][a-z0-9_]*$ ]] || { echo "run_mutant: scenario '$scenario' is not [a-z][a-z0-9_]*" >&2; exit 2; }
[[ "$mutant" =~ ^[a-z0-9][a-z0-9-]*$ ]] || { echo "run_mutant: mutant '$mutant' is not [a-z0-9][a-z0-9-]*" >&2; exit 2; }
if [ "$mutant" = baseline ]; then
  [ "$expected" = - ] || { echo "run_mutant: a baseline expects no invariant ('-'), got '$expected'" >&2; exit 2; }
else
  [[ "$expected" =~ ^[a-z](,[a-z])*$ ]] || { echo "run_mutant: expected ids must be letters like a or a,b, got '$expected'" >&2; exit 2; }
fi
results=${SEA_MUTANT_RESULTS:-$PWD/mutant-results}
mkdir -p "$results" || exit 2
results=$(cd "$results" && pwd)
log="$results/$scenario.$mutant.log"
root="$results/$scenario.$mutant"   # this run's build root: its artifacts land in $root/chaos-artifacts/
rm -rf "$root" "$results/$scenario.$mutant.tsv"
mkdir -p "$root" || exit 2

started_at=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
run_id="mutant-$(date -u -d "$started_at" +%Y%m%dT%H%M%S)Z-$$-$RANDOM"
# CHAOS_SCENARIO: a matrix binary holds many cases; only this scenario's runs (the others skip before any work).
run_env=(SEA_REQUIRE_ALL=1 CHAOS_SCENARIO="$scenario" SEA_BUILD_ROOT="$root" SEA_CHAOS_RUN_ID="$run_id" SEA_CHAOS_RUN_STARTED_AT="$started_at")
if [ "$mutant" = baseline ]; then
  env -u SEA_STOP_AT_VIOLATION "$@" "${run_env[@]}" "$binary" >"$log" 2>&1
else
  env "$@" "${run_env[@]}" SEA_STOP_AT_VIOLATION="$expected" "$binary" >"$log" 2>&1
fi
rc=$?

python3 - "$scenario" "$mutant" "$expected" "$rc" "$run_id" "$root/chaos-artifacts" "$results/$scenario.$mutant.tsv" "$log" <<'PY'
import glob, json, os, re, sys

scenario, mutant, expected, rc, run_id, artifacts, tsv, log = sys.argv[1:9]
rc = int(rc)
baseline = mutant == "baseline"
letters = [] if baseline else expected.split(",")
OWN_KINDS = ("invariant-violated", "invariant-unknown")  # failures an invariant's verdict accounts for


def clean(text, limit=160):
    """One table-safe line: no tabs/newlines, at most `limit` characters."""
    text = re.sub(r"\s+", " ", str(text)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load_timeline():
    """(timeline, path, problem): this run's timeline, or why there is none to judge."""
    paths = sorted(glob.glob(os.path.join(artifacts, "*", "timeline.json")))
    if not paths:
        return None, None, "no timeline written"
    docs = []
    for p in paths:
        try:
            with open(p) as f:
                docs.append((json.load(f), p))
        except (OSError, ValueError) as e:
            return None, p, f"timeline unreadable: {clean(e, 100)}"
    ours = [(d, p) for d, p in docs if isinstance(d, dict) and d.get("scenario") == scenario]
    if not ours:
        return None, paths[0], f"no timeline of {scenario} written (found {len(paths)} of another scenario)"
    if len(ours) > 1:
        return None, ours[0][1], f"{len(ours)} timelines of {scenario} written, expected one"
    doc, path = ours[0]
    if doc.get("schema_version") != 2:
        return None, path, f"timeline schema_version {doc.get('schema_version')!r}, expected 2"
    got = (doc.get("run") or {}).get("id")
    if got != run_id:
        return None, path, f"stale timeline (run id {got!r}, expected {run_id})"
    return doc, path, None


doc, path, problem = load_timeline()
verdicts = [v for v in (doc or {}).get("verdicts") or [] if isinstance(v, dict)]
outcome = (doc or {}).get("outcome") or {}
status = outcome.get("status", "unknown")
failures = [f for f in outcome.get("failures") or [] if isinstance(f, dict)]
other = [f for f in failures if f.get("kind") not in OWN_KINDS]


def letter(v):
    return str(v.get("id", "")).split(" ", 1)[0]


def state_of(l):
    """invalid / unknown / valid / not judged: the worst-for-detection-first state of letter l's verdicts."""
    states = {v.get("validity") for v in verdicts if letter(v) == l}
    for s in ("invalid", "unknown", "valid"):
        if s in states:
            return s
    return "not judged"


def first_other():
    return f"{other[0].get('kind', 'other')}: {clean(other[0].get('message', ''))}" if other else None


named = ",".join(sorted({clean(v.get("id", "?"), 80) for v in verdicts if v.get("validity") == "invalid"})) or "-"
if baseline:
    reasons = []
    if problem:
        reasons.append(problem)
    else:
        if rc != 0:
            reasons.append(f"exit {rc}")
        if status != "passed":
            why = first_other() or next((f"{f.get('kind')}: {clean(f.get('message', ''))}" for f in failures), None)
            reasons.append(f"outcome {status}" + (f": {why}" if why else ""))
        else:
            if not verdicts:
                reasons.append("outcome passed but no verdict")
            reasons += [f"outcome passed but invariant {clean(v.get('id', '?'), 80)} {v.get('validity')}"
                        for v in verdicts if v.get("validity") != "valid"]
    verdict = "pass" if not reasons else "FAIL (" + "; ".join(reasons) + ")"
    ok = not reasons
else:
    reasons = []
    if problem:
        reasons.append(problem)
    elif rc == 0:
        reasons.append("scenario passed" if status == "passed" else f"exit 0, outcome {status}")
    else:
        missing = [(l, state_of(l)) for l in letters if state_of(l) != "invalid"]
        if missing:
            if other:
                reasons.append(first_other())
            reasons += [f"invariant {l} {s}" for l, s in missing]
    ok = not reasons
    verdict = "caught" if ok else "NOT CAUGHT (" + "; ".join(reasons) + ")"

with open(tsv, "w") as f:
    f.write("\t".join([scenario, mutant, expected, verdict, named]) + "\n")
print(f"{scenario} / {mutant}: {verdict} (expected: {expected}; invariants named: {named if named != '-' else 'none'}; "
      f"exit {rc}; log {log}; timeline {path or 'none'})")
if not ok:
    for f in failures:
        print(f"  failure {f.get('kind')}: {clean(f.get('message', ''), 300)}")
    for v in verdicts:
        if v.get("validity") != "valid":
            print(f"  verdict {v.get('id')}: {v.get('validity')}: {clean(v.get('evidence', ''), 300)}")
sys.exit(0 if ok else 1)
PY
