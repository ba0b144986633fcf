#!/usr/bin/env bash
# Flake measurement (`just soak runs=N`): runs the whole chaos suite N times on a prepared machine and prints,
# per scenario, the pass count, min/median/max wall time and min/median/max time-to-recover (from each run's
# timeline JSON). Figures also land in build/<preset>/soak/summary.tsv.
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
for i in $(seq 1 "$runs"); do
  sea_log "soak run $i/$runs"
  ctest "${select_args[@]}" --output-junit "$out/run-$i.xml" >"$out/run-$i.log" 2>&1 || true
  for t in "$SEA_BUILD_DIR"/chaos-artifacts/*/timeline.json; do
    [ -e "$t" ] && cp "$t" "$out/run-$i.$(basename "$(dirname "$t")").timeline.json"
  done
done
python3 - "$out" "$runs" <<'PY'
import glob, json, os, re, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
rows = {}
for xml in sorted(glob.glob(os.path.join(out, "run-*.xml"))):
    text = open(xml).read()
    for m in re.finditer(r'<testcase name="([^"]+)"[^>]*time="([0-9.]+)"[^>]*status="(\w+)"', text):
        name, secs, status = m.groups()
        r = rows.setdefault(name, {"pass": 0, "durations": [], "ttr": []})
        r["pass"] += status == "run"
        r["durations"].append(float(secs))
for tl in glob.glob(os.path.join(out, "run-*.timeline.json")):
    name = os.path.basename(tl).split(".", 1)[1].rsplit(".timeline.json", 1)[0]  # <Suite>.<Test>
    ttr = json.load(open(tl)).get("fault", {}).get("time_to_recover_ms")
    if name in rows and ttr is not None:
        rows[name]["ttr"].append(ttr)
def mmm(v, unit):
    return "-" if not v else f"{min(v):.1f}/{statistics.median(v):.1f}/{max(v):.1f}{unit}"
with open(os.path.join(out, "summary.tsv"), "w") as f:
    print(f"{'scenario':60} {'pass':>7} {'duration min/med/max':>24} {'time-to-recover min/med/max':>30}")
    for name, r in sorted(rows.items()):
        line = f"{name:60} {r['pass']:>3}/{runs:<3} {mmm(r['durations'],' s'):>24} {mmm(r['ttr'],' ms'):>30}"
        print(line); f.write("\t".join([name, str(r['pass']), str(runs), mmm(r['durations'],''), mmm(r['ttr'],'')]) + "\n")
PY
