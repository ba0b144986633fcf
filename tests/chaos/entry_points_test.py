#!/usr/bin/env python3
"""Every documented way to run chaos scenarios selects exactly what it says (label `unit`, no docker).

For every scenario in tests/chaos/scenarios.txt (the one list) each README form must select exactly that
scenario's one ctest case and nothing else:
  just chaos scenario=X | just chaos X | CHAOS_SCENARIO=X just chaos | scripts/run-chaos.sh X
  ctest -L '^X$' (the README form; the bare `ctest -L X` too) | chaos-X --gtest_filter='<CamelX>.*'
`just chaos` / `ctest -L chaos` select all of them; `just soak runs=N` / `just soak N` parse; bad forms fail
with one line. The just/script forms run their real code with SEA_LIST_ONLY=1, which makes scripts/chaos.sh
and scripts/soak.sh print their `ctest -N` selection instead of running it (and run-chaos.sh skip set-up).
Every chaos case must carry both labels, TIMEOUT 900 and RESOURCE_LOCK sea-docker-stack, read back with
`ctest --show-only=json-v1`.
Environment: SEA_REPO (source tree), SEA_BUILD_DIR (configured and built build tree); `just` on the PATH.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

REPO = os.environ["SEA_REPO"]
BUILD = os.environ["SEA_BUILD_DIR"]
TIMEOUT_S = 900
RESOURCE_LOCK = "sea-docker-stack"


def scenario_lines():
    """[(scenario, binary)]: "<scenario>" runs in chaos-<scenario>, "<scenario> <binary>" is a case of a fault matrix."""
    out = []
    with open(os.path.join(REPO, "tests/chaos/scenarios.txt")) as f:
        for line in f:
            m = re.fullmatch(r"([a-z][a-z0-9_]*)(?: +([a-z][a-z0-9_]*))?", line.strip())
            if m:
                out.append((m.group(1), m.group(2) or m.group(1)))
    return out


def scenario_list():
    return [s for s, _ in scenario_lines()]


BINARY_OF = dict(scenario_lines())


def is_matrix_case(scenario):
    return BINARY_OF[scenario] != scenario


def camel(name):
    return "".join(part.capitalize() for part in name.split("_"))


def run(cmd, env_extra=None, cwd=REPO):
    env = {k: v for k, v in os.environ.items() if k not in ("CHAOS_SCENARIO", "SEA_LIST_ONLY")}
    env.update({"SEA_BUILD_DIR": BUILD, "SEA_LIST_ONLY": "1"})
    env.update(env_extra or {})
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def workflow_list_step():
    """The shell of the chaos workflow's `id: list` step (the block under its `run: |`), without a YAML library."""
    lines = open(os.path.join(REPO, ".github/workflows/chaos.yml")).read().splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip() == "- id: list")
    run_at = next(i for i in range(start, len(lines)) if lines[i].strip() == "run: |")
    indent = len(lines[run_at + 1]) - len(lines[run_at + 1].lstrip())
    body = []
    for l in lines[run_at + 1:]:
        if l.strip() and len(l) - len(l.lstrip()) < indent:
            break
        body.append(l[indent:])
    return "\n".join(body) + "\n"


def listed(stdout):
    """Test names a `ctest -N` listing shows."""
    return [m.group(1) for m in re.finditer(r"^\s*Test\s+#\d+: (\S+)", stdout, re.M)]


def ctest_json():
    r = run(["ctest", "--test-dir", BUILD, "--show-only=json-v1"])
    if r.returncode != 0:
        raise AssertionError(f"ctest --show-only=json-v1 failed: {r.stderr.strip()}")
    tests = {}
    for t in json.loads(r.stdout)["tests"]:
        props = {p["name"]: p["value"] for p in t.get("properties", [])}
        labels = props.get("LABELS", [])
        tests[t["name"]] = {"command": t.get("command", []), "labels": labels if isinstance(labels, list) else [labels],
                            "props": props}
    return tests


class EntryPoints(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scenarios = scenario_list()
        cls.tests = ctest_json()
        cls.just = shutil.which("just")

    def case_of(self, scenario):
        """The one ctest case of the scenario: the only case of chaos-<scenario>, or the case of a matrix binary whose
        name ends in /<scenario> (fails unless exactly one)."""
        binary = f"chaos-{BINARY_OF[scenario]}"
        cases = [n for n, t in self.tests.items()
                 if t["command"] and os.path.basename(t["command"][0]) == binary
                 and (not is_matrix_case(scenario) or n.endswith("/" + scenario))]
        self.assertEqual(len(cases), 1, f"{binary}: expected one discovered case of {scenario}, got {cases} (not built?)")
        return cases[0]

    def gtest_filter(self, scenario):
        """The README's gtest filter of a scenario: '<CamelScenario>.*', or '*/<case>' for a fault-matrix case."""
        return f"*/{scenario}" if is_matrix_case(scenario) else f"{camel(scenario)}.*"

    def assert_selects(self, result, expected, form):
        self.assertEqual(result.returncode, 0, f"{form}: exit {result.returncode}: {result.stderr.strip()}")
        self.assertEqual(sorted(listed(result.stdout)), sorted(expected), f"{form} selected the wrong tests:\n{result.stdout}")

    def assert_one_line_error(self, result, needle, form):
        self.assertNotEqual(result.returncode, 0, f"{form}: expected a failure, got exit 0:\n{result.stdout}")
        ours = [l for l in result.stderr.splitlines() if l.startswith("sea-chaos: error:")]
        self.assertEqual(len(ours), 1, f"{form}: expected one 'sea-chaos: error:' line, got:\n{result.stderr}")
        self.assertIn(needle, ours[0], form)
        self.assertEqual(listed(result.stdout), [], f"{form}: must not list tests")

    def require_just(self):
        self.assertIsNotNone(self.just, "`just` is not on the PATH (scripts/setup.sh installs it: npm rust-just)")

    # --- what ctest knows ----------------------------------------------------------------------------------------
    def test_scenario_list_is_not_empty(self):
        self.assertGreaterEqual(len(self.scenarios), 1, "tests/chaos/scenarios.txt names no scenario")

    def test_every_chaos_case_carries_its_labels_timeout_and_lock(self):
        for s in self.scenarios:
            with self.subTest(scenario=s):
                t = self.tests[self.case_of(s)]
                self.assertEqual(sorted(t["labels"]), sorted(["chaos", s]), f"labels of {self.case_of(s)}")
                self.assertEqual(t["props"].get("TIMEOUT"), TIMEOUT_S, f"TIMEOUT of {self.case_of(s)}")
                lock = t["props"].get("RESOURCE_LOCK")
                self.assertEqual(lock if isinstance(lock, list) else [lock], [RESOURCE_LOCK], f"RESOURCE_LOCK of {self.case_of(s)}")

    def test_case_is_the_camel_case_suite(self):
        for s in self.scenarios:
            with self.subTest(scenario=s):
                suite = f"Matrix/{camel(BINARY_OF[s])}" if is_matrix_case(s) else camel(s)
                self.assertTrue(self.case_of(s).startswith(suite + "."), f"{self.case_of(s)} is not in suite {suite}")

    def test_every_matrix_binary_case_is_listed(self):
        # A case the matrix binary has but scenarios.txt does not list would run under `ctest -L chaos` without a
        # name of its own (no label, no `just chaos <name>`).
        for binary in sorted({b for s, b in scenario_lines() if b != s}):
            with self.subTest(binary=binary):
                cases = sorted(n for n, t in self.tests.items()
                               if t["command"] and os.path.basename(t["command"][0]) == f"chaos-{binary}")
                listed_cases = sorted(self.case_of(s) for s, b in scenario_lines() if b == binary)
                self.assertEqual(cases, listed_cases, f"chaos-{binary}: cases vs scenarios.txt")

    def test_no_other_label_names_a_scenario(self):
        # ctest -L takes a regex: a label like `mutants-opa_restart` would be selected by `ctest -L opa_restart`.
        for s in self.scenarios:
            with self.subTest(scenario=s):
                hits = sorted(n for n, t in self.tests.items() if any(re.search(s, l) for l in t["labels"]))
                self.assertEqual(hits, [self.case_of(s)], f"tests with a label matching '{s}'")

    # --- the documented forms ------------------------------------------------------------------------------------
    def test_ctest_label_forms(self):
        for s in self.scenarios:
            with self.subTest(scenario=s):
                for label in (f"^{s}$", s):
                    self.assert_selects(run(["ctest", "--test-dir", BUILD, "-N", "-L", label]), [self.case_of(s)],
                                        f"ctest -L '{label}'")
        everything = [self.case_of(s) for s in self.scenarios]
        self.assert_selects(run(["ctest", "--test-dir", BUILD, "-N", "-L", "chaos"]), everything, "ctest -L chaos")

    def test_gtest_filter_form(self):
        for s in self.scenarios:
            with self.subTest(scenario=s):
                binary = os.path.join(BUILD, "tests/chaos", f"chaos-{BINARY_OF[s]}")
                r = run([binary, f"--gtest_filter={self.gtest_filter(s)}", "--gtest_list_tests"])
                self.assertEqual(r.returncode, 0, r.stderr)
                suites = re.findall(r"^(\S+)\.$", r.stdout, re.M)
                cases = re.findall(r"^  (\S+)", r.stdout, re.M)
                self.assertEqual([f"{a}.{b}" for a in suites for b in cases], [self.case_of(s)],
                                 f"chaos-{BINARY_OF[s]} --gtest_filter='{self.gtest_filter(s)}'")

    def test_just_and_script_forms(self):
        self.require_just()
        for s in self.scenarios:
            with self.subTest(scenario=s):
                forms = {
                    f"just chaos scenario={s}": run([self.just, "chaos", f"scenario={s}"]),
                    f"just chaos {s}": run([self.just, "chaos", s]),
                    f"CHAOS_SCENARIO={s} just chaos": run([self.just, "chaos"], {"CHAOS_SCENARIO": s}),
                    f"scripts/run-chaos.sh {s}": run(["scripts/run-chaos.sh", s]),
                }
                for form, result in forms.items():
                    self.assert_selects(result, [self.case_of(s)], form)
        everything = [self.case_of(s) for s in self.scenarios]
        self.assert_selects(run([self.just, "chaos"]), everything, "just chaos")
        self.assert_selects(run(["scripts/run-chaos.sh"]), everything, "scripts/run-chaos.sh")

    def test_workflow_matrix_is_the_scenario_list(self):
        script = workflow_list_step()
        for wanted, expected in (("", self.scenarios), (self.scenarios[0], [self.scenarios[0]])):
            with self.subTest(wanted=wanted), tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "github_output")
                r = run(["bash", "-euo", "pipefail", "-c", script], {"WANTED": wanted, "GITHUB_OUTPUT": out})
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                matrix = open(out).read().strip()
                self.assertTrue(matrix.startswith("matrix="), matrix)
                self.assertEqual(json.loads(matrix[len("matrix="):]), expected, "chaos workflow matrix")
        r = run(["bash", "-euo", "pipefail", "-c", script], {"WANTED": "no_such", "GITHUB_OUTPUT": os.devnull})
        self.assertNotEqual(r.returncode, 0, "the workflow accepted an unknown scenario")

    def test_bad_chaos_forms_fail_with_one_line(self):
        self.require_just()
        s = self.scenarios[0]
        self.assert_one_line_error(run([self.just, "chaos", "scenario=no_such"]), "unknown scenario 'no_such'",
                                   "just chaos scenario=no_such")
        self.assert_one_line_error(run([self.just, "chaos", "no_such"]), "unknown scenario 'no_such'", "just chaos no_such")
        self.assert_one_line_error(run([self.just, "chaos", "scenario="]), "names no scenario", "just chaos scenario=")
        self.assert_one_line_error(run([self.just, "chaos", f"scenarios={s}"]), "unknown argument", f"just chaos scenarios={s}")
        self.assert_one_line_error(run([self.just, "chaos", s, s]), "one scenario at a time", f"just chaos {s} {s}")
        other = self.scenarios[-1] if len(self.scenarios) > 1 else "no_such"
        if other != s:
            self.assert_one_line_error(run([self.just, "chaos", s], {"CHAOS_SCENARIO": other}), "name one of them",
                                       f"CHAOS_SCENARIO={other} just chaos {s}")
        self.assert_one_line_error(run([self.just, "chaos"], {"CHAOS_SCENARIO": "no_such"}), "unknown scenario 'no_such'",
                                   "CHAOS_SCENARIO=no_such just chaos")

    def test_soak_forms(self):
        self.require_just()
        everything = [self.case_of(s) for s in self.scenarios]
        for args, runs in ((["runs=5"], 5), (["3"], 3), ([], 5)):
            with self.subTest(args=args):
                r = run([self.just, "soak", *args])
                self.assert_selects(r, everything, f"just soak {' '.join(args)}")
                self.assertIn(f"soak: {runs} runs of:", r.stdout)
        for bad in ("runs=abc", "runs=", "0", "runs=-1"):
            with self.subTest(bad=bad):
                self.assert_one_line_error(run([self.just, "soak", bad]), "positive integer", f"just soak {bad}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
