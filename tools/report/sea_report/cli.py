"""Command line of tools/report/make_report (see that file's docstring for usage).

Exit codes: 0 report written; 2 bad input (message on stderr names the file/field or the missing install step).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .page import load_library, render_page
from .timelines import ReportInputError, load_scenarios
from .verdicts import read_junit, scenario_verdict

DEFAULT_NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="make_report", description="Write one self-contained HTML report of a chaos run's timelines."
    )
    parser.add_argument("--artifacts", required=True, type=Path, help="chaos-artifacts directory (<Suite>.<Test>/timeline.json)")
    parser.add_argument("--out", required=True, type=Path, help="HTML file to write, e.g. build/ci/chaos-report/index.html")
    parser.add_argument("--junit", action="append", default=[], type=Path,
                        help="gtest or ctest JUnit XML with the test verdicts (repeatable; worst verdict wins)")
    parser.add_argument("--title", default="SEA chaos report", help="page title")
    parser.add_argument("--node-modules", type=Path, default=DEFAULT_NODE_MODULES,
                        help="where `npm ci --prefix tools/report` installed uPlot (default: tools/report/node_modules)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        library = load_library(args.node_modules)
        scenarios = load_scenarios(args.artifacts)
        junit = read_junit(args.junit)
        verdicts = [scenario_verdict(s.test_id, junit, s.invariant_verdict()) for s in scenarios]
        html = render_page(scenarios, verdicts, library, args.title)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(html, encoding="utf-8")
    except ReportInputError as err:
        print(f"make_report: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"make_report: error: cannot write {args.out}: {err.strerror}", file=sys.stderr)
        return 2
    failed = sum(1 for v, _ in verdicts if v == "fail")
    print(f"make_report: wrote {args.out} ({len(scenarios)} scenarios, {failed} failed)")
    return 0
