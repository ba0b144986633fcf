#!/usr/bin/env bash
# Flake measurement (`just soak runs=N`): runs the whole chaos suite N times on a prepared machine and prints,
# per scenario, the pass count, min/median/max duration and min/median/max time-to-recover, all read from the
# timeline.json (schema_version 2) each scenario run writes, never from ctest's output: passed iff
# outcome.status is "passed", duration = duration_ms, time-to-recover = fault.time_to_recover_ms (only runs
# that recovered have one). Round i has its own run id (SEA_CHAOS_RUN_ID) and artifacts
# (build/<preset>/soak/run-<i>/chaos-artifacts/<Suite>.<Test>/, via SEA_BUILD_ROOT); only timelines carrying
# that round's id count, and a scenario of tests/chaos/scenarios.txt without one is a failed run of that round.
# Figures also land in build/<preset>/soak/summary.tsv (name = the timeline's "test", <Suite>.<Test>; the
# scenario's name when no round wrote a timeline for it; pass; runs; duration s and time-to-recover ms as
# min/median/max, "-" when none).
#   scripts/soak.sh [runs=<N> | <N>]   (default 5)
# SEA_LIST_ONLY=1 prints the number of runs and the ctest selection of each (`ctest -N`) and exits.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ $# -le 1 ] || sea_die "soak.sh: one argument at most, got $# ($*); use: just soak runs=<N> (or just soak <N>)"
runs=${1:-5}
runs=${runs#runs=}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || sea_die "soak.sh: runs must be a positive integer, got '${1-}'; use: just soak runs=<N> (or just soak <N>)"
select_args=(--test-dir "$SEA_BUILD_DIR" -L '^chaos$' --no-tests=error)
if [ "${SEA_LIST_ONLY:-0}" = 1 ]; then
  echo "soak: $runs runs of:"
  exec ctest -N "${select_args[@]}"
fi
out="$SEA_BUILD_DIR/soak"
rm -rf "$out"; mkdir -p "$out"
stamp="$(date -u +%Y%m%dT%H%M%S)Z-$$"
for i in $(seq 1 "$runs"); do
  sea_log "soak run $i/$runs"
  export SEA_CHAOS_RUN_STARTED_AT="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)"
  export SEA_CHAOS_RUN_ID="soak-$stamp-r$i"
  echo "$SEA_CHAOS_RUN_ID" >"$out/run-$i.id"
  mkdir -p "$out/run-$i"
  SEA_BUILD_ROOT="$out/run-$i" ctest "${select_args[@]}" --output-junit "$out/run-$i.xml" >"$out/run-$i.log" 2>&1 || true
done
unset SEA_CHAOS_RUN_ID SEA_CHAOS_RUN_STARTED_AT
python3 - "$out" "$runs" "$sea_root/tests/chaos/scenarios.txt" <<'PY'
import glob, json, os, re, statistics, sys
out, runs, scenario_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(scenario_file) as f:
    expected = [m.group(1) for m in (re.fullmatch(r"([a-z][a-z0-9_]*)( +[a-z][a-z0-9_]*)?", l.strip()) for l in f) if m]
rows = {}   # scenario -> {"name", "pass", "durations", "ttr"}
def row(scenario):
    return rows.setdefault(scenario, {"name": None, "pass": 0, "durations": [], "ttr": []})
for i in range(1, runs + 1):
    with open(os.path.join(out, f"run-{i}.id")) as f:
        run_id = f.read().strip()
    seen = set()
    for path in sorted(glob.glob(os.path.join(out, f"run-{i}", "chaos-artifacts", "*", "timeline.json"))):
        try:
            with open(path) as f:
                t = json.load(f)
        except (OSError, ValueError) as e:
            print(f"soak: run {i}: {path}: unreadable ({e}); not counted", file=sys.stderr)
            continue
        if not isinstance(t, dict) or (t.get("run") or {}).get("id") != run_id:
            print(f"soak: run {i}: {path}: not of this run (run id {(t.get('run') or {}).get('id') if isinstance(t, dict) else None!r}); not counted", file=sys.stderr)
            continue
        scenario = t.get("scenario") or t.get("test") or os.path.basename(os.path.dirname(path))
        r = row(scenario)
        r["name"] = t.get("test") or r["name"]
        seen.add(scenario)
        r["pass"] += (t.get("outcome") or {}).get("status") == "passed"
        if isinstance(t.get("duration_ms"), (int, float)):
            r["durations"].append(t["duration_ms"] / 1000.0)
        ttr = (t.get("fault") or {}).get("time_to_recover_ms")
        if isinstance(ttr, (int, float)):
            r["ttr"].append(ttr)
    for scenario in expected:
        if scenario not in seen:
            row(scenario)   # no timeline this round: a failed run
            print(f"soak: run {i}: {scenario} wrote no timeline; counted as failed", file=sys.stderr)
def mmm(v, unit):
    return "-" if not v else f"{min(v):.1f}/{statistics.median(v):.1f}/{max(v):.1f}{unit}"
named = sorted((((r["name"] or scenario), r) for scenario, r in rows.items()), key=lambda nr: nr[0])
with open(os.path.join(out, "summary.tsv"), "w") as f:
    print(f"{'scenario':60} {'pass':>7} {'duration min/med/max':>24} {'time-to-recover min/med/max':>30}")
    for name, r in named:
        line = f"{name:60} {r['pass']:>3}/{runs:<3} {mmm(r['durations'],' s'):>24} {mmm(r['ttr'],' ms'):>30}"
        print(line); f.write("\t".join([name, str(r['pass']), str(runs), mmm(r['durations'],''), mmm(r['ttr'],'')]) + "\n")
PY
