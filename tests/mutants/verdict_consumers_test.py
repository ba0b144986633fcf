#!/usr/bin/env python3
"""The verdict consumers judge from timeline.json (schema_version 2), never from stdout or JUnit (label `unit`).

tests/mutants/run_mutant.sh runs a fake scenario binary (a shell script that prints what it is told, writes a
crafted timeline into <build root>/chaos-artifacts/<Suite>.<Test>/ like the fixture, SEA_BUILD_ROOT or its
"compiled" default, with @RUN_ID@ replaced by the SEA_CHAOS_RUN_ID it was given, and exits with a given code).
Cases: baseline pass; baseline exiting 0 with a failed outcome; mutant caught (every expected letter invalid;
stdout names nothing); not caught because a verdict is unknown / valid, because the run failed only
stack-not-steady, because the mutant passed, because the timeline is stale (another run id) or missing, and a
stale timeline a previous run left in the results dir. The stdout of the fake always claims the opposite of the
timeline, so a runner that greps stdout fails. Also: SEA_STOP_AT_VIOLATION is passed to mutants only, every run
gets its own artifacts dir, table.sh reads the .tsv files.

scripts/soak.sh runs in a sandbox repo (its scenarios.txt lists three scenarios) with a fake `ctest` on the PATH
that writes planned timelines for each round (and a JUnit file claiming every case passed): the summary must come
from the timelines, a round without a timeline of a scenario counts as a failed run, a stale timeline not at all.

Usage: verdict_consumers_test.py [--run-mutant PATH] [--soak PATH] [unittest args]
  (defaults: this repo's; pass an old copy, e.g. `git show HEAD~1:tests/mutants/run_mutant.sh`, to see it fail)
"""
import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
RUN_MUTANT = os.path.join(HERE, "run_mutant.sh")
TABLE = os.path.join(HERE, "table.sh")
SOAK = os.path.join(REPO, "scripts", "soak.sh")

FAKE_SCENARIO = r"""#!/bin/sh
# fake scenario binary: records its environment, prints FAKE_STDOUT, writes FAKE_TIMELINE (@RUN_ID@ -> the run id
# it was given) where the fixture writes its timeline, exits FAKE_EXIT.
env >"$FAKE_ENV_OUT"
printf '%s\n' "$FAKE_STDOUT"
if [ -n "${FAKE_TIMELINE:-}" ]; then
  dir="${SEA_BUILD_ROOT:-$FAKE_DEFAULT_BUILD_ROOT}/chaos-artifacts/$FAKE_TEST"
  mkdir -p "$dir"
  sed "s/@RUN_ID@/${SEA_CHAOS_RUN_ID:-local-1-abcdef}/g" "$FAKE_TIMELINE" >"$dir/timeline.json"
fi
exit "$FAKE_EXIT"
"""

FAKE_CTEST = r"""#!/usr/bin/env python3
# fake ctest: `-N` lists the plan's cases; otherwise round k (counted in FAKE_STATE) writes the plan's timelines for
# round k under ${SEA_BUILD_ROOT:-$SEA_BUILD_DIR}/chaos-artifacts/ with the SEA_CHAOS_RUN_ID it was given (or the
# entry's own run id), and a JUnit file that claims every case passed.
import json, os, sys
plan = json.load(open(os.environ["FAKE_PLAN"]))
args = sys.argv[1:]
if "-N" in args:
    print("soak listing")
    for i, t in enumerate(plan["tests"], 1):
        print(f"  Test #{i}: {t}")
    sys.exit(0)
counter = os.path.join(os.environ["FAKE_STATE"], "rounds")
k = int(open(counter).read()) + 1 if os.path.exists(counter) else 1
open(counter, "w").write(str(k))
with open(os.path.join(os.environ["FAKE_STATE"], f"round-{k}.env"), "w") as f:
    json.dump({n: os.environ.get(n) for n in ("SEA_CHAOS_RUN_ID", "SEA_BUILD_ROOT")}, f)
root = os.environ.get("SEA_BUILD_ROOT") or os.environ["SEA_BUILD_DIR"]
for entry in plan["rounds"][k - 1]:
    tl = dict(entry["timeline"])
    tl["run"] = {"id": entry.get("run_id") or os.environ.get("SEA_CHAOS_RUN_ID", "local-1-abcdef"),
                 "started_at": "2026-12-03T03:15:00.000Z"}
    d = os.path.join(root, "chaos-artifacts", tl["test"])
    os.makedirs(d, exist_ok=True)
    json.dump(tl, open(os.path.join(d, "timeline.json"), "w"))
if "--output-junit" in args:
    cases = "".join(f'<testcase name="{t}" classname="{t}" time="1.5" status="run"/>' for t in plan["tests"])
    open(args[args.index("--output-junit") + 1], "w").write(f'<?xml version="1.0"?><testsuite>{cases}</testsuite>\n')
"""


def read(path):
    with open(path) as f:
        return f.read()


def write_exec(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def verdict(vid, validity, evidence=""):
    return {"id": vid, "validity": validity, "deadline_ms": 60000, "met_at_ms": 900 if validity == "valid" else None,
            "at_ms": 1000, "counts": {"ops": 10, "violations": 0 if validity == "valid" else 1}, "measures": {},
            "examples": [], "evidence": evidence or f"{vid}: {validity}"}


def timeline(scenario, test, status, verdicts, failures=(), run_id="@RUN_ID@", duration_ms=3120, ttr=90):
    return {
        "schema_version": 2, "scenario": scenario, "test": test,
        "run": {"id": run_id, "started_at": "2026-12-03T03:15:00.000Z"},
        "started_at": "2026-12-03T03:15:00.120Z", "duration_ms": duration_ms,
        "outcome": {"status": status, "failures": [{"kind": k, "message": m} for k, m in failures]},
        "phases": [{"name": "setup", "at_ms": 0, "wall": "2026-12-03T03:15:00.120Z"}],
        "segments_ms": {"setup": 3}, "events": [], "events_dropped": 0, "counters": {},
        "fault": {"description": "ContainerRestart sea-opa", "inject_start_ms": 1400, "inject_end_ms": 2600,
                  "verified_ms": 2610, "healed_ms": 2700, "recovered_ms": None if ttr is None else 2700 + ttr,
                  "time_to_recover_ms": ttr},
        "verdicts": list(verdicts),
    }


SCENARIO, TEST = "opa_restart", "OpaRestart.GatewayFailsClosedAndRecovers"
A, B, C = "a never-allow-while-opa-down", "b liveness-stays-up", "c decisions-return"
ALL_VALID = [verdict(A, "valid"), verdict(B, "valid"), verdict(C, "valid")]
LIE = "INVARIANT VIOLATED [opa_restart/a never-allow-while-opa-down] (stdout only)\n" \
      "INVARIANT VIOLATED [opa_restart/b liveness-stays-up] (stdout only)\n" \
      "INVARIANT VIOLATED [opa_restart/c decisions-return] (stdout only)"


class RunMutant(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sea-verdicts-test.")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.binary = os.path.join(self.tmp, "chaos-opa_restart")
        write_exec(self.binary, FAKE_SCENARIO)
        self.results = os.path.join(self.tmp, "results")
        self.default_root = os.path.join(self.tmp, "compiled-build-root")
        self.env_out = os.path.join(self.tmp, "scenario.env")

    def run_mutant(self, mutant, expected, tl, exit_code, stdout="", extra=()):
        """Runs the runner on the fake; returns (exit, runner stdout+stderr, tsv columns or None, scenario env)."""
        tl_path = ""
        if tl is not None:
            tl_path = os.path.join(self.tmp, f"{mutant}.timeline.in.json")
            with open(tl_path, "w") as f:
                json.dump(tl, f)
        env = {k: v for k, v in os.environ.items()
               if k not in ("SEA_STOP_AT_VIOLATION", "SEA_CHAOS_RUN_ID", "SEA_BUILD_ROOT", "SEA_CHAOS_RUN_STARTED_AT")}
        env.update({"SEA_MUTANT_RESULTS": self.results, "FAKE_TIMELINE": tl_path, "FAKE_EXIT": str(exit_code),
                    "FAKE_STDOUT": stdout, "FAKE_TEST": TEST, "FAKE_ENV_OUT": self.env_out,
                    "FAKE_DEFAULT_BUILD_ROOT": self.default_root})
        if os.path.exists(self.env_out):
            os.remove(self.env_out)
        r = subprocess.run(["bash", RUN_MUTANT, self.binary, SCENARIO, mutant, expected, *extra], env=env,
                           capture_output=True, text=True, timeout=60)
        tsv = os.path.join(self.results, f"{SCENARIO}.{mutant}.tsv")
        cols = read(tsv).rstrip("\n").split("\t") if os.path.exists(tsv) else None
        seen = {}
        if os.path.exists(self.env_out):
            for line in read(self.env_out).splitlines():
                k, _, v = line.partition("=")
                seen[k] = v
        return r.returncode, r.stdout + r.stderr, cols, seen

    def assert_verdict(self, result, rc, verdict_text, named, mutant, expected):
        code, out, cols, _ = result
        self.assertIsNotNone(cols, f"no {SCENARIO}.{mutant}.tsv written; runner said:\n{out}")
        self.assertEqual(cols[:3], [SCENARIO, mutant, expected], out)
        if verdict_text.endswith("*"):
            self.assertTrue(cols[3].startswith(verdict_text[:-1]), f"verdict {cols[3]!r}, expected {verdict_text!r}\n{out}")
        else:
            self.assertEqual(cols[3], verdict_text, out)
        self.assertEqual(cols[4], named, f"invariants named\n{out}")
        self.assertEqual(code, rc, f"runner exit\n{out}")
        self.assertIn(f"{SCENARIO} / {mutant}: {cols[3]}", out, "one line per run")

    # --- baseline -----------------------------------------------------------------------------------------------
    def test_baseline_passes(self):
        r = self.run_mutant("baseline", "-", timeline(SCENARIO, TEST, "passed", ALL_VALID), 0, stdout="[  FAILED  ] (stdout only)")
        self.assert_verdict(r, 0, "pass", "-", "baseline", "-")
        self.assertNotIn("SEA_STOP_AT_VIOLATION", r[3], "a baseline must not stop at a violation")
        self.assertEqual(r[3].get("SEA_REQUIRE_ALL"), "1")

    def test_baseline_exit_0_but_outcome_failed_is_a_failure(self):
        tl = timeline(SCENARIO, TEST, "failed", [verdict(A, "invalid"), verdict(B, "valid"), verdict(C, "valid")],
                      failures=[("invariant-violated", "a never-allow-while-opa-down: 1 allow while OPA was down")], ttr=None)
        r = self.run_mutant("baseline", "-", tl, 0)
        self.assert_verdict(r, 1, "FAIL (outcome failed: invariant-violated: a never-allow-while-opa-down: 1 allow while OPA was down)",
                            A, "baseline", "-")

    def test_baseline_without_timeline_fails(self):
        r = self.run_mutant("baseline", "-", None, 0)
        self.assert_verdict(r, 1, "FAIL (no timeline written)", "-", "baseline", "-")

    # --- mutants ------------------------------------------------------------------------------------------------
    def test_mutant_caught_when_every_expected_letter_is_invalid(self):
        tl = timeline(SCENARIO, TEST, "failed", [verdict(B, "invalid"), verdict(C, "invalid"), verdict(A, "valid")],
                      failures=[("invariant-violated", "b"), ("invariant-violated", "c")], ttr=None)
        r = self.run_mutant("gateway-sticky-breaker", "b,c", tl, 1, stdout="nothing to grep here",
                            extra=["SEA_GATEWAY_IMAGE=sea-chaos/policy-gateway:mutant-sticky-breaker"])
        self.assert_verdict(r, 0, "caught", f"{B},{C}", "gateway-sticky-breaker", "b,c")
        self.assertEqual(r[3].get("SEA_STOP_AT_VIOLATION"), "b,c", "mutant runs stop once every targeted invariant is invalid")
        self.assertEqual(r[3].get("SEA_GATEWAY_IMAGE"), "sea-chaos/policy-gateway:mutant-sticky-breaker")
        self.assertEqual(r[3].get("SEA_REQUIRE_ALL"), "1")

    def test_unknown_is_not_caught(self):
        tl = timeline(SCENARIO, TEST, "failed", [verdict(A, "valid"), verdict(B, "unknown", "no probe answered in the window"), verdict(C, "valid")],
                      failures=[("invariant-unknown", "b liveness-stays-up: no operation in the fault window")], ttr=None)
        r = self.run_mutant("gateway-liveness-tied-to-opa", "b", tl, 1, stdout=LIE)
        self.assert_verdict(r, 1, "NOT CAUGHT (invariant b unknown)", "-", "gateway-liveness-tied-to-opa", "b")
        self.assertIn("no probe answered in the window", r[1], "a not-caught run shows the verdict's evidence")

    def test_valid_expected_letter_is_not_caught(self):
        tl = timeline(SCENARIO, TEST, "failed", [verdict(A, "invalid"), verdict(B, "valid")],
                      failures=[("invariant-violated", "a")], ttr=None)
        r = self.run_mutant("gateway-fail-open", "a,b", tl, 1, stdout=LIE)
        self.assert_verdict(r, 1, "NOT CAUGHT (invariant b valid)", A, "gateway-fail-open", "a,b")

    def test_stack_not_steady_only_is_not_caught(self):
        msg = "STACK NOT STEADY: gateway answered 503 to alice before the fault"
        tl = timeline(SCENARIO, TEST, "failed", [], failures=[("stack-not-steady", msg)], ttr=None)
        r = self.run_mutant("gateway-fail-open", "a", tl, 1, stdout=LIE)
        self.assert_verdict(r, 1, f"NOT CAUGHT (stack-not-steady: {msg}; invariant a not judged)", "-", "gateway-fail-open", "a")

    def test_mutant_that_passes_is_not_caught(self):
        r = self.run_mutant("gateway-fail-open", "a", timeline(SCENARIO, TEST, "passed", ALL_VALID), 0)
        self.assert_verdict(r, 1, "NOT CAUGHT (scenario passed)", "-", "gateway-fail-open", "a")

    def test_stale_timeline_is_never_judged(self):
        tl = timeline(SCENARIO, TEST, "failed", [verdict(A, "invalid")], failures=[("invariant-violated", "a")],
                      run_id="chaos-20261201T000000Z-1", ttr=None)
        r = self.run_mutant("gateway-fail-open", "a", tl, 1, stdout=LIE)
        self.assert_verdict(r, 1, "NOT CAUGHT (stale timeline (run id 'chaos-20261201T000000Z-1', expected mutant-*",
                            "-", "gateway-fail-open", "a")

    def test_missing_timeline_is_not_caught(self):
        r = self.run_mutant("gateway-fail-open", "a", None, 1, stdout=LIE)
        self.assert_verdict(r, 1, "NOT CAUGHT (no timeline written)", "-", "gateway-fail-open", "a")

    def test_timeline_a_previous_run_left_is_not_judged(self):
        tl = timeline(SCENARIO, TEST, "failed", [verdict(A, "invalid")], failures=[("invariant-violated", "a")], ttr=None)
        first = self.run_mutant("gateway-fail-open", "a", tl, 1)
        self.assert_verdict(first, 0, "caught", A, "gateway-fail-open", "a")
        # the next run of the same mutant writes nothing: the first run's timeline must not count
        r = self.run_mutant("gateway-fail-open", "a", None, 1, stdout=LIE)
        self.assert_verdict(r, 1, "NOT CAUGHT (no timeline written)", "-", "gateway-fail-open", "a")

    def test_each_run_has_its_own_artifacts_and_run_id(self):
        tl = timeline(SCENARIO, TEST, "failed", [verdict(A, "invalid")], failures=[("invariant-violated", "a")], ttr=None)
        one = self.run_mutant("gateway-fail-open", "a", tl, 1)
        tl2 = timeline(SCENARIO, TEST, "failed", [verdict(C, "invalid")], failures=[("invariant-violated", "c")], ttr=None)
        two = self.run_mutant("gateway-sticky-breaker", "c", tl2, 1)
        self.assertNotEqual(one[3].get("SEA_CHAOS_RUN_ID"), two[3].get("SEA_CHAOS_RUN_ID"), "one run id per run")
        roots = {one[3].get("SEA_BUILD_ROOT"), two[3].get("SEA_BUILD_ROOT")}
        self.assertEqual(len(roots), 2, f"one artifacts dir per run: {roots}")
        for root in roots:
            self.assertIsNotNone(root, "the runner sets the run's build root")
            self.assertTrue(os.path.realpath(root).startswith(os.path.realpath(self.results)), root)
        for res, mutant, ident in ((one, "gateway-fail-open", A), (two, "gateway-sticky-breaker", C)):
            path = os.path.join(res[3]["SEA_BUILD_ROOT"], "chaos-artifacts", TEST, "timeline.json")
            self.assertEqual(json.loads(read(path))["verdicts"][0]["id"], ident, f"{mutant}'s own timeline")
            self.assertIn(f"timeline {path}", res[1])
        self.assertFalse(os.path.exists(os.path.join(self.default_root, "chaos-artifacts")),
                         "a mutant run wrote into the build's shared chaos-artifacts")
        t = subprocess.run(["bash", TABLE, self.results, os.path.join(self.tmp, "no-readme.md")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(t.returncode, 0, t.stderr)
        self.assertIn(f"| `{SCENARIO}` | gateway-fail-open | a | caught | {A} |", t.stdout)
        self.assertIn(f"| `{SCENARIO}` | gateway-sticky-breaker | c | caught | {C} |", t.stdout)

    def test_bad_expected_ids_are_a_usage_error(self):
        code, out, cols, _ = self.run_mutant("gateway-fail-open", "a b", None, 1)
        self.assertEqual(code, 2, out)


class Soak(unittest.TestCase):
    SCENARIOS = ["alpha_one", "beta_two", "gamma_three"]

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sea-soak-test.")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        repo = os.path.join(self.tmp, "repo")
        os.makedirs(os.path.join(repo, "scripts"))
        os.makedirs(os.path.join(repo, "tests", "chaos"))
        shutil.copy(SOAK, os.path.join(repo, "scripts", "soak.sh"))
        shutil.copy(os.path.join(REPO, "scripts", "lib.sh"), os.path.join(repo, "scripts", "lib.sh"))
        with open(os.path.join(repo, "tests", "chaos", "scenarios.txt"), "w") as f:
            f.write("# crafted list\n" + "\n".join(self.SCENARIOS) + "\n")
        self.soak = os.path.join(repo, "scripts", "soak.sh")
        self.bin = os.path.join(self.tmp, "bin")
        os.makedirs(self.bin)
        write_exec(os.path.join(self.bin, "ctest"), FAKE_CTEST)
        self.state = os.path.join(self.tmp, "state")
        os.makedirs(self.state)
        self.build = os.path.join(self.tmp, "build")
        os.makedirs(self.build)

    def soak_run(self, plan, *args, **env_extra):
        plan_path = os.path.join(self.tmp, "plan.json")
        with open(plan_path, "w") as f:
            json.dump(plan, f)
        env = {k: v for k, v in os.environ.items()
               if k not in ("SEA_LIST_ONLY", "SEA_CHAOS_RUN_ID", "SEA_BUILD_ROOT", "SEA_CHAOS_RUN_STARTED_AT", "SEA_PRESET")}
        env.update({"PATH": self.bin + os.pathsep + env["PATH"], "SEA_BUILD_DIR": self.build, "FAKE_PLAN": plan_path,
                    "FAKE_STATE": self.state, "SEA_STATE_DIR": os.path.join(self.tmp, "dotstate")})
        env.update(env_extra)
        return subprocess.run(["bash", self.soak, *args], env=env, capture_output=True, text=True, timeout=120)

    def test_summary_reads_timelines_and_counts_a_missing_one_as_failed(self):
        alpha, beta = "AlphaOne.Recovers", "BetaTwo.Holds"
        ok = [verdict("a x", "valid")]
        bad = [verdict("a x", "invalid")]
        plan = {"tests": [alpha, beta, "GammaThree.Stalls"], "rounds": [
            [{"timeline": timeline("alpha_one", alpha, "passed", ok, duration_ms=2000, ttr=10)},
             {"timeline": timeline("beta_two", beta, "passed", ok, duration_ms=1000, ttr=5)},
             # gamma only ever leaves a timeline of another run: never counted, never named
             {"timeline": timeline("gamma_three", "GammaThree.Stalls", "passed", ok), "run_id": "chaos-20261201T000000Z-1"}],
            [{"timeline": timeline("alpha_one", alpha, "passed", ok, duration_ms=4000, ttr=30)}],   # beta: no timeline
            [{"timeline": timeline("alpha_one", alpha, "failed", bad, failures=[("invariant-violated", "a x")],
                                   duration_ms=9000, ttr=None)},
             {"timeline": timeline("beta_two", beta, "passed", ok, duration_ms=3000, ttr=7)}],
        ]}
        r = self.soak_run(plan, "runs=3")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        summary = os.path.join(self.build, "soak", "summary.tsv")
        self.assertTrue(os.path.exists(summary), r.stdout + r.stderr)
        rows = sorted(line.split("\t") for line in read(summary).splitlines())
        self.assertEqual(rows, sorted([
            [alpha, "2", "3", "2.0/4.0/9.0", "10.0/20.0/30.0"],
            [beta, "2", "3", "1.0/2.0/3.0", "5.0/6.0/7.0"],
            ["gamma_three", "0", "3", "-", "-"],
        ]), r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"(?m)^scenario\s+pass\s+duration min/med/max\s+time-to-recover min/med/max$")
        self.assertRegex(r.stdout, rf"(?m)^{re.escape(alpha)}\s+2/3\s+2\.0/4\.0/9\.0 s\s+10\.0/20\.0/30\.0 ms$")
        self.assertRegex(r.stdout, rf"(?m)^{re.escape(beta)}\s+2/3\s+1\.0/2\.0/3\.0 s\s+5\.0/6\.0/7\.0 ms$")
        ids = [json.loads(read(os.path.join(self.state, f"round-{k}.env")))["SEA_CHAOS_RUN_ID"] for k in (1, 2, 3)]
        self.assertEqual(len(set(ids)), 3, f"one run id per round: {ids}")
        self.assertTrue(all(ids), ids)

    def test_list_only(self):
        r = self.soak_run({"tests": ["AlphaOne.Recovers"], "rounds": []}, "2", SEA_LIST_ONLY="1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("soak: 2 runs of:", r.stdout)
        self.assertIn("Test #1: AlphaOne.Recovers", r.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.build, "soak")), "SEA_LIST_ONLY ran something")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--run-mutant")
    parser.add_argument("--soak")
    opts, rest = parser.parse_known_args()
    RUN_MUTANT = os.path.abspath(opts.run_mutant) if opts.run_mutant else RUN_MUTANT
    SOAK = os.path.abspath(opts.soak) if opts.soak else SOAK
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
