"""Command lines of tools/report/make_report and tools/report/make_junit (see those files' docstrings for usage).

Exit codes: 0 written; 2 bad input (message on stderr names the file/field or the missing install step).
"""
from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

from .junit import write_junit
from .page import load_library, render_page
from .timelines import ReportInputError, load_scenarios, select_run

DEFAULT_NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="make_report", description="Write one self-contained HTML report of a chaos run's timelines."
    )
    parser.add_argument("--artifacts", required=True, type=Path, help="chaos-artifacts directory (<Suite>.<Test>/timeline.json)")
    parser.add_argument("--out", required=True, type=Path, help="HTML file to write, e.g. build/ci/chaos-report/index.html")
    parser.add_argument("--run-id", default=None,
                        help="show only the timelines of this run (SEA_CHAOS_RUN_ID of the ctest invocation); default: the "
                             "newest run found. A run with no timeline gives a report saying nothing ran.")
    parser.add_argument("--title", default="SEA chaos report", help="page title")
    parser.add_argument("--node-modules", type=Path, default=DEFAULT_NODE_MODULES,
                        help="where `npm ci --prefix tools/report` installed uPlot (default: tools/report/node_modules)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        library = load_library(args.node_modules)
        run = select_run(load_scenarios(args.artifacts, allow_empty=args.run_id is not None), args.run_id)
        scenarios = run.current
        verdicts = [s.scenario_verdict() for s in scenarios]
        html = render_page(scenarios, verdicts, library, args.title, run)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(html, encoding="utf-8")
    except ReportInputError as err:
        print(f"make_report: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"make_report: error: cannot write {args.out}: {err.strerror}", file=sys.stderr)
        return 2
    failed = sum(1 for v, _ in verdicts if v == "fail")
    what = f"{len(scenarios)} scenario{'s' if len(scenarios) != 1 else ''}, {failed} failed" if scenarios else "no scenario ran"
    ignored = f"; {run.ignored} timelines of other runs ignored" if run.ignored else ""
    print(f"make_report: wrote {args.out} (run {run.run_id or '(none named)'}: {what}{ignored})")
    return 0


def parse_junit_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="make_junit",
        description="Write one JUnit XML file of a chaos run's timelines in which each invariant is a testcase "
                    "(validates against junit-10.xsd).")
    parser.add_argument("--artifacts", required=True, type=Path, help="chaos-artifacts directory (<Suite>.<Test>/timeline.json)")
    parser.add_argument("--out", required=True, type=Path,
                        help="JUnit XML file to write, e.g. build/ci/test-logs/chaos-invariants.junit.xml")
    parser.add_argument("--run-id", default=None,
                        help="the run to write (SEA_CHAOS_RUN_ID of the ctest invocation); default: the newest run found. "
                             "A run with no timeline gives a document with no testsuite.")
    parser.add_argument("--hostname", default=None, help="the testsuites' hostname attribute (default: this machine's name)")
    return parser.parse_args(argv)


def junit_main(argv: list[str] | None = None) -> int:
    args = parse_junit_args(sys.argv[1:] if argv is None else argv)
    try:
        run = select_run(load_scenarios(args.artifacts, allow_empty=args.run_id is not None), args.run_id)
        tally = write_junit(run, args.out, args.hostname or socket.gethostname())
    except ReportInputError as err:
        print(f"make_junit: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"make_junit: error: cannot write {args.out}: {err.strerror}", file=sys.stderr)
        return 2
    what = (f"{tally.suites} scenario{'s' if tally.suites != 1 else ''}, {tally.tests} testcases, {tally.failures} failed, "
            f"{tally.skipped} skipped") if tally.suites else "no scenario ran"
    ignored = f"; {run.ignored} timelines of other runs ignored" if run.ignored else ""
    print(f"make_junit: wrote {args.out} (run {run.run_id or '(none named)'}: {what}{ignored})")
    return 0
