"""Compare ad-hoc ranking-model variants against ASReview's cached runs (peer.py), in-sample.

Each variant is a JSON object: a name and keyword arguments of `RankingModel`. Runs in-process
with `simulate_once`, one run at a time, with the same starting records as ASReview's runs;
prints the mean over reviews of the per-review means and the CPU seconds summed over runs. This
is exploration on the scored reviews: a default is chosen only by select_models.py (LORO).

    .venv/bin/python benchmarks/screening/variants.py \
        '[{"name": "svm", "model": {"components": ["svm"]}},
          {"name": "default", "model": {"components": ["svm"], "min_df": 2, "pseudo_negatives": 20}}]'
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import peer  # noqa: E402

from litrev.screening.ranking.model import RankingModel  # noqa: E402
from litrev.screening.ranking.simulate import simulate_once  # noqa: E402

REVIEWS = peer.REVIEWS
FIGURES = ("wss95_asreview", "wss95_classic", "recall_at_10")


def build(variant: dict[str, Any], seed: int) -> RankingModel:
    options = dict(variant.get("model", {}))
    return RankingModel(name=variant["name"], seed=seed, **options)


def run_one(job: tuple[dict[str, Any], str, int, list[int]]) -> dict[str, Any]:
    variant, review, seed, priors = job
    data = peer.load(review)
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
        for path in sorted(peer.CACHE.glob(f"asreview_{review}_*.json")):
            run = json.loads(path.read_text(encoding="utf-8"))
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
    rows = [run_one(job) for job in jobs]
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
