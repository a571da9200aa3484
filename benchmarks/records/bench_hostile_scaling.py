"""Reader time against input size on hostile shapes: 10x the input should take about 10x the time.

    nice -n 10 .venv/bin/python benchmarks/records/bench_hostile_scaling.py [--base-kb 40] [--rounds 3]
        [--scales 1,10,100]

To time older code, put its `src` first on PYTHONPATH (e.g. from `git archive REV src`).

Each case builds its input at 1x, 10x and 100x `--base-kb` and reads it with `litrev.records.read_report`
(best CPU time of `--rounds` rounds: the machine is shared, CPU time of this process is the fair
figure). The cases are the shapes that took quadratic time before litrev issue 10:

- RIS, MEDLINE (nbib) and Web of Science plain text: one field with that many continuation lines;
- EndNote XML: that many `<record>`s never closed (read with skip_invalid);
- BibTeX: that many entries with an unclosed brace (read with skip_invalid).

Prints a JSON list of {case, scale, bytes, cpu_seconds, per_mb, ratio_to_1x}.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from litrev.errors import InputError
from litrev.records import read_report


def _repeat(head: str, unit: str, tail: str) -> Callable[[int], str]:
    def build(size: int) -> str:
        return head + unit * max(1, (size - len(head) - len(tail)) // len(unit)) + tail

    return build


CASES: dict[str, tuple[str, Callable[[int], str], bool]] = {
    # name: (file suffix, builder of about `size` characters, skip_invalid)
    "ris continuation lines": (
        ".ris",
        _repeat("TY  - JOUR\nAB  - start\n", "a continued line of the abstract\n", "ER  - \n"),
        False,
    ),
    "nbib continuation lines": (
        ".nbib",
        _repeat("PMID- 1\nAB  - start\n", "      a continued line of the abstract\n", "\n"),
        False,
    ),
    "wos continuation lines": (
        ".txt",
        _repeat(
            "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAB start\n",
            "   a continued line of the abstract\n",
            "ER\nEF\n",
        ),
        False,
    ),
    "endnote-xml unclosed records": (
        ".xml",
        _repeat(
            "<xml><records>", "<record><titles><title>x</title></titles>\n", "</records></xml>"
        ),
        True,
    ),
    "bibtex broken entries (skip-invalid)": (
        ".bib",
        _repeat("", "@article{key, title={never closed\n", ""),
        True,
    ),
}


def _best_cpu(path: Path, skip_invalid: bool, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        start = time.process_time()
        # A hostile file may be refused: the time to refuse it is what counts.
        with contextlib.suppress(InputError):
            read_report(path, skip_invalid=skip_invalid)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-kb", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--scales", default="1,10,100", help="multiples of --base-kb (1,10 for quadratic code)"
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for case, (suffix, build, skip_invalid) in CASES.items():
            base_cpu = None
            for scale in [int(x) for x in args.scales.split(",")]:
                text = build(args.base_kb * 1000 * scale)
                path = Path(folder) / f"input{suffix}"
                path.write_text(text, encoding="utf-8")
                cpu = _best_cpu(path, skip_invalid, args.rounds)
                base_cpu = base_cpu or max(cpu, 1e-6)
                size = path.stat().st_size
                rows.append(
                    {
                        "case": case,
                        "scale": scale,
                        "bytes": size,
                        "cpu_seconds": round(cpu, 4),
                        "per_mb": round(cpu / (size / 1e6), 3),
                        "ratio_to_1x": round(cpu / base_cpu, 1),
                    }
                )
                print(json.dumps(rows[-1]), flush=True)
    summary = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "rows": rows,
    }
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
