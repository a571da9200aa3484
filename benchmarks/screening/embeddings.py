"""Sentence embeddings as a ranking view, measured: embeddings alone, TF-IDF + embeddings, and the
TF-IDF default, on every labelled review in `shared/benchmarks/screening/` (synergy_v1/, extra/).

Needs the `embeddings` extra in its own venv (see docs/screening-embeddings.md):

    nice -n 10 /work/venvs/embed/bin/python benchmarks/screening/embeddings.py \
        > benchmarks/screening/logs/embeddings.log 2>&1

1. Each review's records are embedded once (all-MiniLM-L6-v2, batches of 64) into
   `benchmarks/screening/out/embeddings/<review>.npz` (gitignored), keyed by text digest; the
   time of that first computation (CPU and wall, model load separately) is kept beside it in
   `<review>.timing.json`, so a rerun reuses vectors and still reports what they cost.
2. For seeds 0-2 per review, the three models screen from the same two starting records
   (`draw_priors(labels, seed)`: one inclusion, one exclusion) until the last inclusion is found,
   in-process with `simulate_once` (refit schedule as `litrev simulate`). CPU time of a run is
   the process's CPU time over the run, embedding excluded (the vectors are given to the model).

Results go to `benchmarks/screening/results_embeddings.json`; `--report` prints the tables.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = REPO.parent / "shared" / "benchmarks" / "screening"
CACHE = HERE / "out" / "embeddings"
RESULTS = HERE / "results_embeddings.json"
MODELS = ("default", "embeddings-only", "embeddings")
BASELINE = ["default"]  # the TF-IDF model the rows called "default" are (--baseline)
_ENCODER: list[Any] = []  # loaded once per process, on the first review that needs it


def reviews() -> list[Path]:
    """Every labelled review (`peer.discover`: each CSV one folder down), smallest first, so
    that a run cut short still has whole reviews."""
    sys.path.insert(0, str(HERE))
    import peer

    paths = list(peer.discover(DATA).values())
    return sorted(paths, key=lambda p: (p.stat().st_size, p.name))


def cpu() -> float:
    """This process's user + system CPU seconds (all threads: torch uses both cores)."""
    usage = os.times()
    return usage.user + usage.system


def embed_all(paths: list[Path]) -> dict[str, dict[str, float]]:
    """Embed every review once (or reuse the file cache); return each review's embedding cost."""
    from litrev.screening.ranking.embedding_cache import embed_texts_cached, load_encoder
    from litrev.screening.ranking.simulate import load_labelled_csv

    encoder = _ENCODER[0] if _ENCODER else None
    costs: dict[str, dict[str, float]] = {}
    for path in paths:
        data = load_labelled_csv(path)
        timing_file = CACHE / f"{data.name}.timing.json"
        if (CACHE / f"{data.name}.npz").exists() and timing_file.exists():
            costs[data.name] = json.loads(timing_file.read_text())
            continue
        load_cpu = load_wall = 0.0
        if encoder is None:
            c0, w0 = cpu(), time.perf_counter()
            encoder = load_encoder()
            load_cpu, load_wall = cpu() - c0, time.perf_counter() - w0
            _ENCODER.append(encoder)
        c0, w0 = cpu(), time.perf_counter()
        vectors = embed_texts_cached(
            data.records, CACHE / f"{data.name}.npz", encoder=encoder, progress=False
        )
        cost = {
            "records": len(data),
            "cpu_s": cpu() - c0,
            "wall_s": time.perf_counter() - w0,
            "model_load_cpu_s": load_cpu,
            "model_load_wall_s": load_wall,
            "dimensions": int(vectors.shape[1]),
        }
        cost["records_per_s_wall"] = cost["records"] / cost["wall_s"]
        cost["records_per_cpu_s"] = cost["records"] / cost["cpu_s"]
        timing_file.write_text(json.dumps(cost, indent=1))
        costs[data.name] = cost
        print(
            f"embedded {data.name}: {len(data)} records, {cost['cpu_s']:.1f} CPU s, "
            f"{cost['wall_s']:.1f} s wall",
            flush=True,
        )
    return costs


def make(name: str, seed: int, vectors: np.ndarray) -> Any:
    from litrev.screening.ranking.embeddings import FixedVectors
    from litrev.screening.ranking.model import make_model

    model = make_model(BASELINE[0] if name == "default" else name, seed=seed)
    if name != "default":
        model.source = FixedVectors(vectors)
    return model


def run_all(paths: list[Path], seeds: int) -> list[dict[str, Any]]:
    from litrev.screening.ranking.embedding_cache import embed_texts_cached
    from litrev.screening.ranking.simulate import draw_priors, load_labelled_csv, simulate_once

    runs: list[dict[str, Any]] = []
    for path in paths:
        data = load_labelled_csv(path)
        # By text digest, so the rows are in this data set's order (no encoder is needed).
        vectors = embed_texts_cached(data.records, CACHE / f"{data.name}.npz", progress=False)
        for seed in range(seeds):
            priors = draw_priors(data.labels, seed)
            for name in MODELS:
                c0, w0 = cpu(), time.perf_counter()
                run = simulate_once(data, make(name, seed, vectors), seed=seed, priors=priors)
                m = run.metrics
                row = {
                    "review": data.name,
                    "records": len(data),
                    "included": int(data.labels.sum()),
                    "model": name,
                    "seed": seed,
                    "priors": priors,
                    "wss95_asreview": m.wss95_asreview,
                    "wss95_classic": m.wss95_classic,
                    "recall_at_10": m.recall_at_10,
                    "records_to_95": m.records_to_95,
                    "cpu_s": cpu() - c0,
                    "wall_s": time.perf_counter() - w0,
                    "fits": run.n_fits,
                }
                runs.append(row)
                print(json.dumps(row), flush=True)
    return runs


def commit() -> str:
    out = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--", "src/litrev/screening"],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() + (
        " (+ uncommitted changes in src/litrev/screening)" if dirty.stdout.strip() else ""
    )


def report(results: dict[str, Any]) -> str:
    """Markdown tables: per model means over reviews; per review; embedding cost."""
    runs = results["runs"]
    lines = [
        "| model | mean WSS@95 (ASReview) | mean WSS@95 (classic) | mean recall@10% | "
        "runs | ranking CPU s | + embedding CPU s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    names = sorted({r["review"] for r in runs})
    embed_cpu = sum(c["cpu_s"] for c in results["embedding"].values())
    load_cpu = sum(c["model_load_cpu_s"] for c in results["embedding"].values())
    for model in MODELS:
        mine = [r for r in runs if r["model"] == model]
        if not mine:
            continue
        per = {
            k: np.mean([np.mean([r[k] for r in mine if r["review"] == n]) for n in names])
            for k in ("wss95_asreview", "wss95_classic", "recall_at_10")
        }
        extra = "0" if model == "default" else f"{embed_cpu + load_cpu:.0f}"
        lines.append(
            f"| `{model}` | {per['wss95_asreview']:.3f} | {per['wss95_classic']:.3f} | "
            f"{per['recall_at_10']:.3f} | {len(mine)} | {sum(r['cpu_s'] for r in mine):.0f} | {extra} |"
        )
    lines += [
        "",
        "| review | records | incl. | "
        + " | ".join(f"WSS@95 A `{m}`" for m in MODELS)
        + " | "
        + " | ".join(f"recall@10% `{m}`" for m in MODELS)
        + " |",
        "| --- | ---: | ---: |" + " ---: |" * (2 * len(MODELS)),
    ]
    for n in names:
        rows = [r for r in runs if r["review"] == n]
        w = [np.mean([r["wss95_asreview"] for r in rows if r["model"] == m]) for m in MODELS]
        rc = [np.mean([r["recall_at_10"] for r in rows if r["model"] == m]) for m in MODELS]
        lines.append(
            f"| {n} | {rows[0]['records']:,} | {rows[0]['included']} | "
            + " | ".join(f"{x:.3f}" for x in w)
            + " | "
            + " | ".join(f"{x:.3f}" for x in rc)
            + " |"
        )
    lines += [
        "",
        "| vs `default`, per review (mean of seeds) | WSS@95 A diff | reviews won | "
        "WSS@95 classic diff | won | recall@10% diff | won |",
        "| --- |" + " ---: |" * 6,
    ]
    for model in MODELS[1:]:
        cells = []
        for key in ("wss95_asreview", "wss95_classic", "recall_at_10"):
            diffs = [
                np.mean([r[key] for r in runs if r["review"] == n and r["model"] == model])
                - np.mean([r[key] for r in runs if r["review"] == n and r["model"] == "default"])
                for n in names
            ]
            cells += [f"{np.mean(diffs):+.3f}", f"{sum(d > 0 for d in diffs)}/{len(diffs)}"]
        lines.append(f"| `{model}` | " + " | ".join(cells) + " |")
    total = sum(c["records"] for c in results["embedding"].values())
    wall = sum(c["wall_s"] for c in results["embedding"].values())
    lines += [
        "",
        f"Embedding: {total:,} records in {embed_cpu:.0f} CPU s / {wall:.0f} s wall "
        f"({total / wall:.0f} records/s wall, {1000 * embed_cpu / total:.1f} CPU s per 1,000 "
        f"records), plus {load_cpu:.0f} CPU s to load the model once.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--embed-only", action="store_true", help="only fill the vector cache")
    parser.add_argument("--report", action="store_true", help="print the tables of the last run")
    parser.add_argument("--reviews", nargs="*", help="review names (default: all)")
    parser.add_argument(
        "--baseline", default="default", help="TF-IDF model to compare with (a make_model name)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file")
    parser.add_argument(
        "--merge",
        nargs="*",
        type=Path,
        default=[],
        help="with --report: add the runs of these results files",
    )
    args = parser.parse_args()
    if args.report:
        results = json.loads(args.out.read_text())
        for extra in args.merge:  # e.g. a review run in a second process
            more = json.loads(extra.read_text())
            results["embedding"].update(more["embedding"])
            results["runs"] += [
                r for r in more["runs"] if r["review"] not in {x["review"] for x in results["runs"]}
            ]
        print(report(results))
        return
    from litrev.screening.ranking.model import MODELS as SPECS

    paths = [p for p in reviews() if not args.reviews or p.stem in args.reviews]
    BASELINE[0] = args.baseline
    started = time.perf_counter()
    results: dict[str, Any] = {
        "commit": commit(),
        "default_spec": {
            k: list(v) if isinstance(v, tuple) else v for k, v in SPECS[args.baseline].items()
        },
        "baseline": args.baseline,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared), "
        f"Python {platform.python_version()}",
        "embedding": {},
        "runs": [],
    }
    for path in paths:  # one review at a time: embed, then simulate, then save
        results["embedding"].update(embed_all([path]))
        if args.embed_only:
            continue
        results["runs"] += run_all([path], args.seeds)
        results["wall_s"] = time.perf_counter() - started
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    if not args.embed_only:
        print(report(results))


if __name__ == "__main__":
    sys.exit(main())
