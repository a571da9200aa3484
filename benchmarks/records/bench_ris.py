"""litrev's RIS reader against rispy on the same synthetic 100k-record file, in the same run.

    nice -n 10 .venv/bin/python benchmarks/records/bench_ris.py [--records 100000] [--rounds 3]

Generates the file (deterministic) if missing, then alternates rispy and litrev runs and keeps
each one's best round, in wall-clock and in CPU time of this process (the machine is shared,
so CPU time is the fairer figure). litrev's reader pauses the cyclic garbage collector while
it reads; rispy is timed both as shipped and with the collector paused the same way. Checks that nothing is lost: records, tag/value pairs and
non-whitespace characters of every value, against the generator's ground truth. Also times
importing the same file into a SQLite review store, and each reader's peak memory in a fresh
process. Prints a JSON summary.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import rispy
from generate_ris import Truth, generate

from litrev.records import import_files, read
from litrev.store import Store


def _timed(run: Callable[[], Any]) -> tuple[float, float, Any]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _gc_paused(run: Callable[[], Any]) -> Callable[[], Any]:
    """`run` with the cyclic garbage collector paused, as litrev's reader does internally."""

    def paused() -> Any:
        gc.disable()
        try:
            return run()
        finally:
            gc.enable()

    return paused


def _chars(value: str) -> int:
    return len("".join(value.split()))


# VmHWM (the process's own peak RSS), not ru_maxrss: Linux carries the parent's ru_maxrss
# into a forked child, which would report the benchmark process's memory instead.
_PEAK = """
import pathlib, sys
path = pathlib.Path(sys.argv[1])
if sys.argv[2] == "rispy":
    import rispy
    result = rispy.load(path, encoding="utf-8")
else:
    from litrev.records import read
    result = read(path)
status = pathlib.Path("/proc/self/status").read_text()
print(next(int(l.split()[1]) // 1024 for l in status.splitlines() if l.startswith("VmHWM:")))
"""


def peak_memory_mb(path: Path, reader: str) -> int:
    """Peak resident memory (MB) of a fresh Python process that reads `path` with `reader`."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, str(path), reader],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout.strip().splitlines()[-1])


def count_litrev(records: list[Any]) -> dict[str, int]:
    pairs = sum(len(r.raw) for r in records)
    chars = sum(_chars(v) for r in records for _, v in r.raw)
    return {"records": len(records), "pairs": pairs, "value_chars": chars}


def count_rispy(entries: list[dict[str, Any]]) -> dict[str, int]:
    values = 0
    chars = 0
    for entry in entries:
        for key, value in entry.items():
            items = (
                [v for vs in value.values() for v in vs]
                if key == "unknown_tag"
                else value
                if isinstance(value, list)
                else [value]
            )
            values += len(items)
            chars += sum(_chars(str(v)) for v in items)
    return {"records": len(entries), "values": values, "value_chars": chars}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--file", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.gettempdir()) / "litrev-bench"
    folder.mkdir(exist_ok=True)
    path = args.file or folder / f"synthetic-{args.records}.ris"
    truth_path = path.with_suffix(".truth.json")
    if path.exists() and truth_path.exists():
        truth = Truth(**json.loads(truth_path.read_text()))
    else:
        truth = generate(path, args.records)
        truth_path.write_text(json.dumps(asdict(truth)))

    best: dict[str, dict[str, float]] = {}
    counts: dict[str, dict[str, int]] = {}
    for _ in range(args.rounds):
        for name, run in (
            ("rispy", lambda: rispy.load(path, encoding="utf-8")),
            ("litrev", lambda: read(path)),
            ("rispy_gc_paused", _gc_paused(lambda: rispy.load(path, encoding="utf-8"))),
        ):
            wall, cpu, result = _timed(run)
            slot = best.setdefault(name, {"wall_s": wall, "cpu_s": cpu})
            slot["wall_s"], slot["cpu_s"] = min(slot["wall_s"], wall), min(slot["cpu_s"], cpu)
            if name not in counts and name != "rispy_gc_paused":
                counts[name] = (count_litrev if name == "litrev" else count_rispy)(result)
            del result

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "litrev.db")
        wall, cpu, report = _timed(lambda: import_files(store, [path], actor="bench"))
        store.close()
    expected = {
        "records": truth.records,
        "pairs": truth.tag_lines,
        "value_chars": truth.value_chars,
    }
    summary = {
        "python": platform.python_version(),
        "rispy": rispy.__version__,
        "file": str(path),
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "ground_truth": asdict(truth),
        "best_of_rounds": args.rounds,
        "timings": best,
        "litrev_over_rispy_cpu": round(best["litrev"]["cpu_s"] / best["rispy"]["cpu_s"], 3),
        "litrev_over_rispy_gc_paused_cpu": round(
            best["litrev"]["cpu_s"] / best["rispy_gc_paused"]["cpu_s"], 3
        ),
        "counts": counts,
        "litrev_lossless": counts["litrev"] == expected,
        "rispy_value_chars_lost": truth.value_chars - counts["rispy"]["value_chars"],
        "import_into_store": {"wall_s": wall, "cpu_s": cpu, "records": report.total},
        "peak_memory_mb": {name: peak_memory_mb(path, name) for name in ("rispy", "litrev")},
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
