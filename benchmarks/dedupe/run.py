"""Deduplication benchmark: litrev vs bib-dedupe on the labelled sets, and litrev's scaling.

    nice -n 10 .venv/bin/python benchmarks/dedupe/run.py            # everything, writes RESULTS.md
    .venv/bin/python benchmarks/dedupe/run.py --labelled-only
    .venv/bin/python benchmarks/dedupe/run.py --sizes 10000,100000

bib-dedupe runs in its own venv (created by setup_bibdedupe.sh when missing) through a
subprocess, on the same CSV files, in the same run. Each scaling size runs in a fresh process
so that its peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from labelled import SETS, Score, load_records, score, true_groups  # noqa: E402
from synthetic import generate  # noqa: E402

from litrev.dedupe.engine import Deduplicator  # noqa: E402

DATA = HERE.parents[2] / "shared" / "benchmarks" / "dedup"
BIBDEDUPE_VENV = Path(os.environ.get("BIBDEDUPE_VENV", "/work/venvs/bibdedupe"))


def ensure_bibdedupe() -> Path:
    subprocess.run(["bash", str(HERE / "setup_bibdedupe.sh")], check=True,
                   env={**os.environ, "BIBDEDUPE_VENV": str(BIBDEDUPE_VENV)})
    return BIBDEDUPE_VENV / "bin" / "python"


def run_bibdedupe(python: Path, csv_path: Path, timeout: int = 900) -> dict[str, object]:
    start = time.perf_counter()
    try:
        out = subprocess.run([str(python), str(HERE / "run_bibdedupe.py"), str(csv_path)],
                             capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"clusters": None, "seconds": None, "wall": timeout, "error": "timeout"}
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - start
    return result


def _row(name: str, tool: str, sc: Score, seconds: float | None) -> dict[str, object]:
    return {
        "set": name, "tool": tool, "precision": sc.precision, "recall": sc.recall,
        "false_pairs": sc.pair_fp, "missed_pairs": sc.pair_fn,
        "record_precision": sc.rec_precision, "record_recall": sc.rec_recall,
        "false_merges": sc.rec_fp, "seconds": seconds,
    }


def labelled(bib_python: Path | None) -> list[dict[str, object]]:
    rows = []
    for name in SETS:
        folder = DATA / name
        records = load_records(folder)
        ids = [r.record_id or "" for r in records]
        truth = true_groups(folder)
        start = time.perf_counter()
        model = Deduplicator().fit(records)
        seconds = time.perf_counter() - start
        predicted = [[ids[i] for i in c] for c in model.clusters_]
        row = _row(name, "litrev", score(ids, predicted, truth), seconds)
        row["review_queue"] = len(model.review_)
        rows.append(row)
        if bib_python is not None:
            result = run_bibdedupe(bib_python, folder / "records_pre_merged.csv")
            clusters = result["clusters"] or []
            rows.append(_row(name, "bib-dedupe 0.11.0", score(ids, clusters, truth),  # type: ignore[arg-type]
                             result["seconds"]))  # type: ignore[arg-type]
        print(json.dumps(rows[-2:] if bib_python else rows[-1:]), flush=True)
    return rows


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def one_size(n: int, n_jobs: int) -> dict[str, object]:
    """Generate n synthetic records, dedupe them, report time, memory and accuracy."""
    labels: list[int] = []
    records = []
    for label, record in generate(n):
        labels.append(label)
        records.append(record)
    rss_input = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    model = Deduplicator(n_jobs=n_jobs).fit(records)
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(index)

    def pairs(clusters: object) -> set[tuple[int, int]]:
        return {p for c in clusters for p in itertools.combinations(c, 2)}  # type: ignore[attr-defined]

    true_pairs, found = pairs(groups.values()), pairs(model.clusters_)
    return {
        "n": n, "seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": peak, "input_rss_mb": rss_input,
        "worker_peak_rss_mb": children, "pairs_compared": model.pairs_compared_,
        "precision": len(true_pairs & found) / max(1, len(found)),
        "recall": len(true_pairs & found) / max(1, len(true_pairs)),
        "false_pairs": len(found - true_pairs), "review_queue": len(model.review_),
    }


def synthetic_csv(n: int, path: Path) -> None:
    """The same synthetic corpus as a bib-dedupe CSV (ID, ENTRYTYPE, title, author, ...)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ID", "ENTRYTYPE", "title", "author", "year", "journal", "volume",
                         "number", "pages", "doi"])
        for index, (_label, r) in enumerate(generate(n)):
            writer.writerow([f"r{index}", "article", r.title, " and ".join(r.authors), r.year,
                             r.journal, r.volume, r.issue or "", r.pages or "", r.doi or ""])


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "free": free.strip(),
            "python": platform.python_version()}


def plot(scaling: list[dict[str, object]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = [int(r["n"]) for r in scaling]  # type: ignore[call-overload]
    secs = [float(r["seconds"]) for r in scaling]  # type: ignore[arg-type]
    cpu = [float(r["cpu_seconds"]) for r in scaling]  # type: ignore[arg-type]
    mem = [float(r["peak_rss_mb"]) for r in scaling]  # type: ignore[arg-type]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.loglog(ns, secs, "o-", label="wall seconds (shared machine)")
    ax1.loglog(ns, cpu, "s-", label="CPU seconds (all processes)")
    ax1.loglog(ns, [cpu[0] * n / ns[0] for n in ns], "--", color="grey",
               label="linear from 10k (CPU)")
    ax1.set_xlabel("records")
    ax1.set_ylabel("seconds")
    ax1.set_title("Time")
    ax1.legend()
    ax2.loglog(ns, mem, "o-", color="tab:orange", label="peak RSS (incl. input records)")
    ax2.set_xlabel("records")
    ax2.set_ylabel("MB")
    ax2.set_title("Peak memory")
    ax2.legend()
    fig.tight_layout()
    fig.savefig(HERE / "scaling.svg")
    fig.savefig(HERE / "scaling.png", dpi=100)


def _fmt(value: object, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def write_results(results: dict[str, Any], path: Path) -> None:
    """Render RESULTS.md from results.json (figures are copied, never typed by hand)."""
    m = results["machine"]
    lines = [
        "# Deduplication benchmark results", "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), Python {m['python']}; shared with other "
        "jobs while measured (wall times vary with load; CPU seconds are also given).", "",
        "```", m["free"], "```", "",
        f"Command: `{results['command']}`", "",
        "Setting: litrev defaults (`Settings()`: title threshold 0.93, review threshold 0.85, "
        "versions linked not merged); the same code and setting for every set. bib-dedupe "
        "0.11.0 defaults, its `maybe` pairs left unmerged, run in its own venv on the same CSV "
        "in the same run.", "",
        "## Labelled sets", "",
        "Pairwise: pairs inside predicted clusters vs pairs inside true groups. Record level: "
        "a record removed as a duplicate of a record kept in its cluster; *false merges* = "
        "records removed that are not duplicates of what was kept.", "",
        "| set | tool | precision | recall | false pairs | missed pairs | record recall "
        "| false merges | review queue | seconds |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results["labelled"]:
        lines.append(
            f"| {row['set']} | {row['tool']} | {_fmt(row['precision'])} | "
            f"{_fmt(row['recall'])} | {row['false_pairs']} | {row['missed_pairs']} | "
            f"{_fmt(row['record_recall'])} | {row['false_merges']} | "
            f"{row.get('review_queue', '')} | {_fmt(row['seconds'], 1)} |")
    lines += [
        "", "Reading the table:", "",
        "- *False merges* and *false pairs* for litrev are the must-show figures: zero on every "
        "set at the default setting.",
        "- On haematology, the pairs bib-dedupe finds and litrev does not are four pairs "
        "joining the letter \"Atypical hemolytic uremic syndrome associated with group A beta "
        "hemolytic streptococcus\" with its authors' *Reply* (different authors; the set's "
        "labels count them as duplicates, the issue lists comment/reply vs article as a false "
        "merge to guard against) and one NEJM letter whose print and online titles differ "
        "(\"Eculizumab in...\" / \"Complement Blockade in...\", no volume or pages on one "
        "record). litrev links the reply as *related* and sends the other pair to the review "
        "queue; that is the whole pairwise-recall gap there. At record level (records removed "
        "correctly) litrev is ahead on every set. The remaining misses on haematology are "
        "errata, meeting abstracts and registry records of different trials that the labels "
        "group with their articles; litrev links errata and abstracts as related.",
        "- The rules added after a labelled set litrev had not seen (serial items with generic "
        "or recurring titles kept apart without an identifier or the same issue and pages; a "
        "shared DOI forgiving an article number against a page range or count; conference "
        "papers dated a year apart by their proceedings) change no pair, queue entry or "
        "figure on these five sets (checked pair by pair against the previous code). The "
        "recurring-title test marks six haematology records: a journal's \"Gateways to "
        "clinical trials\" column in four volumes, and one title used by two reviews in one "
        "journal; none of them had a duplicate to lose. The rules are tested on "
        "`tests/dedupe/data/cross_database.csv` (labelled, built from real export shapes) and "
        "on real exports in shared/samples/exports (tests/dedupe/test_dedupe_cross_database.py).",
        "- Tuning was done on these same sets (no held-out set): general rules only, no record "
        "ids or titles special-cased; the synthetic corpora below are a check on unseen data.",
    ]
    if "scaling" in results:
        lines += [
            "", "## Scaling on synthetic corpora", "",
            "Deterministic corpora (`synthetic.py`, seed 7): ~35% of works in 2-4 perturbed "
            "copies (DOI missing, case, diacritics, HTML entities, notes, abbreviated pages and "
            "journals, author formats, year +-1), plus Part 1/Part 2 hard negatives. "
            "`--jobs 2`. Peak RSS includes the input records held in memory; the two workers are "
            "forked (copy-on-write), so resident memory is at most main + 2 x worker. Wall "
            "times were taken while other engineers' jobs shared the same 2 cores (load "
            "average 6-10, this benchmark under `nice -n 10`); CPU seconds, summed over all "
            "processes, do not depend on that load.", "",
            "| records | wall seconds | CPU seconds | peak RSS MB (main) | peak RSS MB (worker) "
            "| pairs compared | precision | recall | false pairs |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in results["scaling"]:
            lines.append(
                f"| {row['n']:,} | {_fmt(row['seconds'], 1)} | {_fmt(row['cpu_seconds'], 1)} | "
                f"{row['peak_rss_mb']:.0f} | {_fmt(row['worker_peak_rss_mb'] or None, 0) if row['worker_peak_rss_mb'] else '-'} | "
                f"{row['pairs_compared']:,} | {_fmt(row['precision'], 4)} | "
                f"{_fmt(row['recall'], 4)} | {row['false_pairs']} |")
        for row in results.get("scaling_reruns", []):
            lines.append(
                f"\nRe-run of {row['n']:,} records on its own (other engineers' jobs still "
                f"running, load average 9-12) "
                f"(`{row['command']}`): {row['seconds']:.0f} s wall, {row['cpu_seconds']:.0f} "
                f"CPU seconds, peak RSS {row['peak_rss_mb']:.0f} MB (main) / "
                f"{row['worker_peak_rss_mb']:.0f} MB (largest worker), precision "
                f"{row['precision']:.4f}, recall {row['recall']:.4f}, "
                f"{row['false_pairs']} false pairs.")
        if results.get("scaling_command"):
            lines.append(f"\nScaling table from an earlier full run: `{results['scaling_command']}` "
                         "(kept when only the labelled sets are re-run; see the notes below).")
        lines.extend(results.get("scaling_notes", []))
        lines += ["", "![scaling](scaling.svg)", ""]
        if results.get("bibdedupe_10k_seconds") is not None:
            lines.append(f"bib-dedupe 0.11.0 on the same 10,000-record corpus: "
                         f"{results['bibdedupe_10k_seconds']:.0f} s.")
    path.write_text("\n".join(lines) + "\n")


_SCALING_KEYS = ("scaling", "scaling_reruns", "scaling_notes", "bibdedupe_10k_seconds")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--labelled-only", action="store_true")
    parser.add_argument("--no-bibdedupe", action="store_true")
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--report-only", action="store_true",
                        help="Rewrite RESULTS.md from an existing results.json.")
    parser.add_argument("--out", default=str(HERE / "results.json"))
    args = parser.parse_args()
    if args.one_size:
        print(json.dumps(one_size(args.one_size, args.jobs)))
        return
    if args.report_only:
        saved = json.loads(Path(args.out).read_text())
        if "scaling" in saved:
            plot(saved["scaling"])
        write_results(saved, HERE / "RESULTS.md")
        return
    bib_python = None if args.no_bibdedupe else ensure_bibdedupe()
    results: dict[str, object] = {"machine": machine(), "command": " ".join(sys.argv)}
    if args.labelled_only and Path(args.out).exists():
        # Keep the scaling runs (minutes of both cores) and their notes from the last full run.
        saved = json.loads(Path(args.out).read_text())
        results.update({key: saved[key] for key in _SCALING_KEYS if key in saved})
        results["scaling_command"] = saved.get("scaling_command", saved["command"])
    results["labelled"] = labelled(bib_python)
    if not args.labelled_only:
        scaling = []
        for n in (int(x) for x in args.sizes.split(",")):
            out = subprocess.run([sys.executable, __file__, "--one-size", str(n),
                                  "--jobs", str(args.jobs)],
                                 capture_output=True, text=True, check=True)
            scaling.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(json.dumps(scaling[-1]), flush=True)
            Path(args.out).with_suffix(".partial.json").write_text(json.dumps(scaling, indent=2))
        results["scaling"] = scaling
        plot(scaling)
        if bib_python is not None:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "synthetic_10000.csv"
                synthetic_csv(10_000, path)
                result = run_bibdedupe(bib_python, path, timeout=900)
                results["bibdedupe_10k_seconds"] = result["seconds"]
                print(json.dumps({"bibdedupe_10k_seconds": result["seconds"]}), flush=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    write_results(results, HERE / "RESULTS.md")


if __name__ == "__main__":
    main()
