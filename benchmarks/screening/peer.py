"""ASReview (ELAS u4) runs for the screening benchmarks, cached one JSON per review and seed.

Every labelled review in `shared/benchmarks/screening/` (each CSV one folder down: synergy_v1/,
extra/ and any folder added later) is normalised to
one CSV with exactly `title, abstract, label_included` (so both tools read the same text, whatever
the source's extra columns), ASReview runs `asreview simulate --ai elas_u4` from the starting
records `draw_priors(labels, seed)`, and its metrics (computed by `litrev.screening.ranking.metrics` on its
order) are cached in `benchmarks/screening/cache/asreview_<review>_<seed>.json`. A cached run is
never recomputed: `select.py` and `run_benchmark.py` both read the cache.

    nice -n 10 .venv/bin/python benchmarks/screening/peer.py --seeds 5 \
        > benchmarks/screening/logs/peer.log 2>&1
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "src"))

from litrev.screening.ranking.metrics import compute_metrics  # noqa: E402
from litrev.screening.ranking.simulate import LabelledDataset, draw_priors, load_labelled_csv  # noqa: E402

SHARED = REPO.parent / "shared" / "benchmarks" / "screening"
CACHE = HERE / "cache"
ASREVIEW_VENV = Path("/work/venvs/asreview")
# The folders first in this order (the nine SYNERGY reviews, then the three ASReview data sets);
# any other folder of labelled CSVs added under SHARED is picked up after them, alphabetically.
FOLDER_ORDER = ("synergy_v1", "extra")


def discover(root: Path = SHARED) -> dict[str, Path]:
    """Every labelled review under `root`: each `*.csv` one folder down, by file stem.

    Found, not listed: a data set added to the shared folder joins every benchmark. Two files
    with the same stem in different folders are refused (a review's name is its key in every
    cache and table).
    """
    found: dict[str, Path] = {}
    folders = sorted(
        (p for p in root.glob("*") if p.is_dir()),
        key=lambda p: (FOLDER_ORDER.index(p.name) if p.name in FOLDER_ORDER else 99, p.name),
    )
    for folder in folders:
        for path in sorted(folder.glob("*.csv"), key=lambda p: p.stem.lower()):
            if path.stem in found:
                raise SystemExit(
                    f"two labelled data sets named {path.stem!r}: {found[path.stem]} "
                    f"and {path}; rename one"
                )
            found[path.stem] = path
    return found


SOURCES = discover()
REVIEWS = list(SOURCES)
FIGURES = (
    "n_records",
    "n_relevant",
    "recall_at_10",
    "recall_at_25",
    "wss95_classic",
    "wss95_asreview",
    "erf_at_10",
    "records_to_95",
    "records_to_100",
)


def source_csv(review: str) -> Path:
    """The shared CSV of a review (in any folder under SHARED)."""
    if review not in SOURCES:
        raise FileNotFoundError(f"no labelled CSV for review {review!r} under {SHARED}")
    return SOURCES[review]


def load(review: str) -> LabelledDataset:
    return load_labelled_csv(source_csv(review))


def normalised_csv(review: str) -> Path:
    """title, abstract, label_included of a review, written once under cache/data/."""
    out = CACHE / "data" / f"{review}.csv"
    if not out.exists():
        data = load(review)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        with tmp.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["title", "abstract", "label_included"])
            for title, abstract, label in zip(
                data.titles, data.abstracts, data.labels, strict=True
            ):
                writer.writerow([title, abstract, int(label)])
        tmp.replace(out)
    return out


def children_cpu() -> float:
    """User + system CPU seconds of finished child processes: load-independent, unlike wall."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def metrics_after_priors(labels: np.ndarray, order: list[int], priors: list[int]) -> dict:
    skip = set(priors)
    after = [i for i in order if i not in skip]
    sequence = np.concatenate([labels[after], np.zeros(len(labels) - len(priors) - len(after))])
    return compute_metrics(sequence.astype(int)).as_dict()


def asreview_order(project: Path) -> list[int]:
    """Dataset rows in the order ASReview labelled them (priors included), from results.db."""
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(project) as archive:
            databases = [archive.extract(n, tmp) for n in archive.namelist() if n.endswith(".db")]
        row_of: dict[int, int] = {}
        labelled: list[tuple[int]] = []
        for database in databases:
            with sqlite3.connect(database) as connection:
                tables = {
                    t
                    for (t,) in connection.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table'"
                    )
                }
                if "record" in tables:
                    row_of.update(connection.execute("SELECT record_id, dataset_row FROM record"))
                if "results" in tables:
                    labelled = connection.execute(
                        "SELECT record_id FROM results ORDER BY rowid"
                    ).fetchall()
        return [int(row_of[record_id]) for (record_id,) in labelled]


def cache_path(review: str, seed: int) -> Path:
    return CACHE / f"asreview_{review}_{seed}.json"


def asreview_run(review: str, seed: int, venv: Path = ASREVIEW_VENV) -> dict[str, Any]:
    """ELAS u4 on `review` from `draw_priors(labels, seed)`: cached, else run and cache."""
    path = cache_path(review, seed)
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    data = load(review)
    priors = draw_priors(data.labels, seed)
    exe = venv / "bin" / "asreview"
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "sim.asreview"
        command = [
            str(exe),
            "simulate",
            str(normalised_csv(review)),
            "--ai",
            "elas_u4",
            "--seed",
            str(seed),
            "--prior-idx",
            *map(str, priors),
            "-o",
            str(project),
        ]
        start, cpu = time.perf_counter(), children_cpu()
        subprocess.run(command, check=True, capture_output=True)
        seconds, cpu_seconds = time.perf_counter() - start, children_cpu() - cpu
        order = asreview_order(project)
    run = {
        "review": review,
        "seed": seed,
        "tool": "asreview",
        "priors": priors,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        **metrics_after_priors(data.labels, order, priors),
        "order": [i for i in order if i not in set(priors)],
        "command": " ".join(command[1:]).replace(str(REPO) + "/", ""),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = path.with_suffix(".tmp")
    tmp_path.write_text(json.dumps(run), encoding="utf-8")
    tmp_path.replace(path)
    return run


def import_stored(review: str) -> int:
    """Cache the ASReview runs of an earlier benchmark (results_<review>.json, same priors).

    Those runs read the shared CSV itself rather than the normalised one; ELAS u4 reads only the
    title and abstract, so the runs are the same (checked on one review and seed in RESULTS.md).
    """
    stored = HERE / f"results_{review}.json"
    if not stored.exists():
        return 0
    data = load(review)
    count = 0
    for run in json.loads(stored.read_text(encoding="utf-8"))["runs"]:
        if run["tool"] != "asreview" or cache_path(review, run["seed"]).exists():
            continue
        if run["priors"] != draw_priors(data.labels, run["seed"]):
            raise ValueError(f"{stored}: seed {run['seed']} has other starting records")
        keep = {
            k: run[k]
            for k in (
                "review",
                "seed",
                "tool",
                "priors",
                "seconds",
                "cpu_seconds",
                *FIGURES,
                "command",
            )
        }
        keep["imported_from"] = stored.name
        cache_path(review, run["seed"]).parent.mkdir(parents=True, exist_ok=True)
        cache_path(review, run["seed"]).write_text(json.dumps(keep), encoding="utf-8")
        count += 1
    return count


def asreview_version(venv: Path = ASREVIEW_VENV) -> str:
    return subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import asreview; print(asreview.__version__)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--reviews", nargs="*", default=REVIEWS)
    parser.add_argument("--venv", type=Path, default=ASREVIEW_VENV)
    parser.add_argument(
        "--import-stored",
        action="store_true",
        help="first cache the ASReview runs kept in results_<review>.json",
    )
    args = parser.parse_args()
    if args.import_stored:
        for review in args.reviews:
            print(f"{review}: imported {import_stored(review)} stored runs", flush=True)
    subprocess.run(["bash", str(HERE / "setup_asreview.sh"), str(args.venv)], check=True)
    print("asreview", asreview_version(args.venv), flush=True)
    started = time.perf_counter()
    # Seed-major order: every review gets its first seeds before any gets its fifth.
    for seed in range(args.seeds):
        for review in args.reviews:
            cached = cache_path(review, seed).exists()
            run = asreview_run(review, seed, args.venv)
            print(
                f"[{time.perf_counter() - started:6.0f}s] {review} seed {seed} "
                f"{'cached' if cached else 'ran'}: WSS@95 {run['wss95_asreview']:.3f} "
                f"recall@10 {run['recall_at_10']:.3f} CPU {run['cpu_seconds']:.1f}s",
                flush=True,
            )


if __name__ == "__main__":
    main()
