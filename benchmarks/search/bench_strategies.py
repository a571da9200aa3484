"""Parse and translate time of search strategies against their size.

Two sets: the published strategies of `tests/search/data/published` (each read in its folder's
dialect, written for PubMed, read back), and synthetic numbered Ovid strategies with proximity
over large OR groups (`adj3` between two N-term groups on title/abstract, then a chain of
combining lines as deep as the strategy), the shape that used to make the cost explode.

    .venv/bin/python benchmarks/search/bench_strategies.py            # both tables
    .venv/bin/python benchmarks/search/bench_strategies.py --json out.json --timeout 120

Each step of a case is timed once (wall clock, `time.perf_counter`); a case that exceeds
`--timeout` seconds is reported as such. Run it with another checkout's source on PYTHONPATH
to compare versions (the synthetic table only needs features every version has).
"""

from __future__ import annotations

import argparse
import json
import platform
import signal
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "search" / "data" / "published"


class Timeout(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise Timeout


def timed(step: Callable[[], Any], budget: float) -> tuple[Any, float | None]:
    """Run `step`; its result and seconds, or (None, None) past `budget` seconds."""
    signal.setitimer(signal.ITIMER_REAL, budget)
    start = time.perf_counter()
    try:
        result = step()
    except Timeout:
        return None, None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return result, time.perf_counter() - start


def synthetic(proximity_lines: int, terms: int, total_lines: int) -> str:
    """`proximity_lines` lines `((a1 or ... or aN) adj3 (b1 or ... or bN)).ti,ab.`, one-word
    lines up to half of `total_lines`, then lines chaining them (`k j and i`, `k j or i`)."""
    searches = max(proximity_lines, (total_lines + 1) // 2)
    out = []
    for i in range(1, proximity_lines + 1):
        a = " or ".join(f"l{i}a{j}*" for j in range(terms))
        b = " or ".join(f"l{i}b{j}" for j in range(terms))
        out.append(f"{i} (({a}) adj3 ({b})).ti,ab.")
    for i in range(proximity_lines + 1, searches + 1):
        out.append(f"{i} w{i}$.ti,ab.")
    prev = 1
    for i in range(2, searches + 1):
        out.append(f"{searches + i - 1} {prev} {'and' if i % 2 else 'or'} {i}")
        prev = searches + i - 1
    return "\n".join(out)


def size(text: str, query: Any) -> dict[str, int]:
    from litrev.search.ast import Near, Not, Phrase, Term

    leaves, stack = 0, [query.root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:  # a line used twice is counted once
            continue
        seen.add(id(node))
        if isinstance(node, Term | Phrase):
            leaves += 1
        elif isinstance(node, Not):
            stack.extend((node.include, node.exclude))
        elif isinstance(node, Near) or hasattr(node, "children"):
            stack.extend(node.children)
        elif hasattr(node, "child"):
            stack.append(node.child)
    lines = sum(1 for line in text.splitlines() if line.strip())
    return {"lines": lines, "terms": leaves, "chars": len(text)}


def run_case(text: str, dialect: str, budget: float, target: str = "pubmed") -> dict[str, Any]:
    from litrev.search import generate, parse

    row: dict[str, Any] = {}
    query, row["parse_s"] = timed(lambda: parse(text, dialect), budget)
    if query is None:
        row["status"] = "timeout (parse)"
        return row
    row.update(size(text, query))
    out, row["generate_s"] = timed(lambda: generate(query, target), budget)
    if out is None:
        row["status"] = "timeout (generate)"
        return row
    back, row["read_back_s"] = timed(lambda: parse(out.text, target), budget)
    if back is None:
        row["status"] = "timeout (read back)"
        return row
    same, row["compare_s"] = timed(lambda: back == query, budget)
    row["status"] = (
        "timeout (compare)"
        if same is None
        else ("same" if same else f"differs, {len(out.warnings)} warning(s)")
    )
    return row


def corpus(budget: float) -> list[dict[str, Any]]:
    from litrev.errors import LitrevError

    rows = []
    for path in sorted(CORPUS.glob("*/*.txt")):
        text = path.read_text("utf-8")
        try:
            row = run_case(text, path.parent.name, budget)
        except LitrevError as exc:
            row = {"status": f"refused: {str(exc).splitlines()[0][:60]}"}
        row["file"] = f"{path.parent.name}/{path.name}"
        rows.append(row)
    return rows


SYNTHETIC = [  # (proximity lines, terms per group, total lines)
    (10, 30, 20),
    (25, 30, 50),
    (50, 30, 100),
    (100, 30, 200),
    (150, 30, 299),
    (100, 5, 299),
    (100, 10, 299),
    (100, 20, 299),
    (100, 40, 299),
]


def synthetic_rows(budget: float, targets: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for proximity, terms, total in SYNTHETIC:
        text = synthetic(proximity, terms, total)
        for target in targets:
            row = run_case(text, "ovid", budget, target)
            row.update(
                case=f"{proximity} adj3 lines x {terms}+{terms} terms, {total} lines", target=target
            )
            rows.append(row)
    return rows


def fmt(value: Any) -> str:
    return "—" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per step (default 60)")
    ap.add_argument("--json", type=Path, help="also write every row here")
    ap.add_argument("--skip-corpus", action="store_true")
    ap.add_argument("--targets", default="pubmed,embase", help="targets of the synthetic set")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGALRM, _alarm)
    sys.setrecursionlimit(10_000)
    print(
        f"python {platform.python_version()}, {platform.machine()}, "
        f"{platform.system()} {platform.release()}"
    )
    result: dict[str, Any] = {}
    if not args.skip_corpus:
        rows = corpus(args.timeout)
        result["corpus"] = rows
        done = [r for r in rows if r.get("compare_s") is not None]
        total = [r["parse_s"] + r["generate_s"] + r["read_back_s"] + r["compare_s"] for r in done]
        print(
            f"\ncorpus: {len(rows)} strategies, {len(done)} read, written for PubMed, read "
            "back and compared; the rest refused or timed out"
        )
        print(
            f"parse: median {statistics.median(r['parse_s'] for r in done):.4f} s, max "
            f"{max(r['parse_s'] for r in done):.4f} s; all four steps: median "
            f"{statistics.median(total):.4f} s, max {max(total):.4f} s, sum {sum(total):.2f} s"
        )
        print("\n| lines | strategies | median terms | max parse (s) | max all steps (s) |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for low, high in ((1, 9), (10, 24), (25, 49), (50, 99), (100, 10_000)):
            group = [r for r in done if low <= r["lines"] <= high]
            if group:
                steps = [
                    r["parse_s"] + r["generate_s"] + r["read_back_s"] + r["compare_s"]
                    for r in group
                ]
                print(
                    f"| {low}–{high if high < 10_000 else ''} | {len(group)} | "
                    f"{statistics.median(r['terms'] for r in group):.0f} | "
                    f"{max(r['parse_s'] for r in group):.3f} | {max(steps):.3f} |"
                )
        slow = sorted(
            done,
            key=lambda r: -(r["parse_s"] + r["generate_s"] + r["read_back_s"] + r["compare_s"]),
        )[:5]
        print(
            "\nslowest: "
            + "; ".join(f"{r['file']} ({r['lines']} lines, {r['terms']} terms)" for r in slow)
        )
    targets = tuple(t for t in args.targets.split(",") if t)
    rows = synthetic_rows(args.timeout, targets)
    result["synthetic"] = rows
    print(
        "\n| synthetic Ovid strategy | terms | chars | target | parse (s) | generate (s) | "
        "read back (s) | compare (s) | result |"
    )
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |")
    for r in rows:
        print(
            f"| {r['case']} | {fmt(r.get('terms'))} | {fmt(r.get('chars'))} | {r['target']} | "
            f"{fmt(r.get('parse_s'))} | {fmt(r.get('generate_s'))} | "
            f"{fmt(r.get('read_back_s'))} | {fmt(r.get('compare_s'))} | {r['status']} |"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
