#!/usr/bin/env bash
# Runs one chaos scenario against one broken variant ("mutant") of the platform, or against the unbroken
# platform (mutant "baseline"), and judges the run:
#   baseline: passes when the scenario passes;
#   mutant:   passes only when the scenario FAILS and its failure names every expected invariant
#             ("INVARIANT VIOLATED [<scenario>/<id> ..."). A failure of another kind (stack not steady,
#             fault not effective) is "not caught": the mutant was not detected by the invariant it targets.
# Usage: run_mutant.sh <scenario-binary> <scenario> <mutant|baseline> <expected ids, e.g. a,b or -> [VAR=value ...]
# Writes <results dir>/<scenario>.<mutant>.tsv (scenario, mutant, expected, verdict, invariants named) and the
# full log next to it. Results dir: $SEA_MUTANT_RESULTS (default: ./mutant-results).
set -uo pipefail
[ $# -ge 4 ] || { echo "usage: $0 <binary> <scenario> <mutant|baseline> <expected ids> [VAR=value ...]" >&2; exit 2; }
binary=$1 scenario=$2 mutant=$3 expected=$4
shift 4
[ -x "$binary" ] || { echo "run_mutant: scenario binary '$binary' not found or not executable" >&2; exit 2; }
results=${SEA_MUTANT_RESULTS:-$PWD/mutant-results}
mkdir -p "$results"
log="$results/$scenario.$mutant.log"

env "$@" SEA_REQUIRE_ALL=1 "$binary" >"$log" 2>&1
rc=$?
named=$(grep -oE "INVARIANT VIOLATED \[$scenario/[a-z] [a-z-]+" "$log" | sed -E "s/.*\/([a-z] [a-z-]+)/\1/" | sort -u | paste -sd ',' -)

if [ "$mutant" = baseline ]; then
  if [ "$rc" -eq 0 ]; then verdict=pass; else verdict=FAIL; fi
else
  verdict=caught
  if [ "$rc" -eq 0 ]; then
    verdict="NOT CAUGHT (scenario passed)"
  else
    IFS=',' read -ra want <<<"$expected"
    for id in "${want[@]}"; do
      grep -qE "INVARIANT VIOLATED \[$scenario/$id " "$log" || verdict="NOT CAUGHT (invariant $id not named)"
    done
  fi
fi
printf '%s\t%s\t%s\t%s\t%s\n' "$scenario" "$mutant" "$expected" "$verdict" "${named:--}" >"$results/$scenario.$mutant.tsv"
echo "$scenario / $mutant: $verdict (expected: $expected; invariants named: ${named:-none}; exit $rc; log $log)"
if [ "$verdict" = pass ] || [ "$verdict" = caught ]; then exit 0; fi
grep -E 'INVARIANT VIOLATED|STACK NOT STEADY|FAULT NOT|PREFLIGHT|Failure' "$log" | head -20
exit 1
