"""Compare ranking-model variants on the benchmark's 45 runs (the tuning table of
docs/screening-ranking.md), against ASReview's runs stored in results_<review>.json.

Each variant is a JSON object: a name and keyword arguments of `RankingModel` (plus `min_df`).
Runs in-process with `simulate_once`, two processes, with the same starting records as ASReview's
runs; prints the mean over reviews of the per-review means and the CPU seconds summed over runs.

    .venv/bin/python benchmarks/screening/variants.py \
        '[{"name": "svm", "model": {"components": ["svm"]}},
          {"name": "default", "model": {"components": ["svm"], "min_df": 2, "pseudo_negatives": 20}}]'
"""

from __future__ import annotations

import argparse
import json
import time
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np

from litrev.screening.rank import RankingModel
from litrev.screening.simulate import load_labelled_csv, simulate_once

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2] / "shared" / "benchmarks" / "screening" / "synergy_v1"
REVIEWS = [
    "Chou_2004",
    "Donners_2021",
    "Jeyaraman_2020",
    "Meijboom_2021",
    "Menon_2022",
    "Nelson_2002",
    "Oud_2018",
    "Sep_2021",
    "van_der_Valk_2021",
]
FIGURES = ("wss95_asreview", "wss95_classic", "recall_at_10")


def build(variant: dict[str, Any], seed: int) -> RankingModel:
    options = dict(variant.get("model", {}))
    return RankingModel(name=variant["name"], seed=seed, **options)


def run_one(job: tuple[dict[str, Any], str, int, list[int]]) -> dict[str, Any]:
    variant, review, seed, priors = job
    data = load_labelled_csv(DATA / f"{review}.csv")
    start = time.process_time()
    run = simulate_once(data, build(variant, seed), seed=seed, priors=priors)
    return {
        "variant": variant["name"],
        "review": review,
        "seed": seed,
        **{f: getattr(run.metrics, f) for f in FIGURES},
        "cpu_seconds": time.process_time() - start,
    }


def asreview_runs(reviews: list[str]) -> dict[tuple[str, int], dict[str, Any]]:
    runs = {}
    for review in reviews:
        for run in json.loads((HERE / f"results_{review}.json").read_text())["runs"]:
            if run["tool"] == "asreview":
                runs[(review, run["seed"])] = run
    return runs


def summary(rows: list[dict[str, Any]], reviews: list[str]) -> str:
    means = [
        float(np.mean([np.mean([r[f] for r in rows if r["review"] == rv]) for rv in reviews]))
        for f in FIGURES
    ]
    return " | ".join(f"{m:.4f}" for m in means) + f" | {sum(r['cpu_seconds'] for r in rows):.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("variants", help="JSON list of {name, model: {RankingModel kwargs}}")
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--reviews", default=",".join(REVIEWS))
    args = parser.parse_args()
    variants = json.loads(args.variants)
    seeds = [int(s) for s in args.seeds.split(",")]
    reviews = args.reviews.split(",")
    peer = asreview_runs(reviews)
    jobs = [(v, rv, s, peer[(rv, s)]["priors"]) for v in variants for rv in reviews for s in seeds]
    with Pool(2) as pool:
        rows = pool.map(run_one, jobs, chunksize=1)
    print("| variant | WSS@95 ASReview-def | WSS@95 classic | recall@10% | CPU s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    peer_rows = [
        {
            "review": rv,
            **{f: peer[(rv, s)][f] for f in FIGURES},
            "cpu_seconds": peer[(rv, s)]["cpu_seconds"],
        }
        for rv in reviews
        for s in seeds
    ]
    print(f"| asreview (stored runs) | {summary(peer_rows, reviews)} |")
    for variant in variants:
        print(
            f"| {variant['name']} | {summary([r for r in rows if r['variant'] == variant['name']], reviews)} |"
        )


if __name__ == "__main__":
    main()
