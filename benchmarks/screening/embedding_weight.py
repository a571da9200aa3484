"""The weight of the sentence-embedding block in the TF-IDF + embeddings model, chosen out of
sample: every weight of a grid on every labelled review, then leave-one-review-out (LORO).

Needs the vectors cached by `embeddings.py` (`out/embeddings/<review>.npz`; run it with
`--embed-only` first). No encoder is loaded here, so the main venv is enough:

    nice -n 5 .venv/bin/python benchmarks/screening/embedding_weight.py --weights 0.2 0.4 1.0 \
        > benchmarks/screening/logs/embedding_weight.log 2>&1
    .venv/bin/python benchmarks/screening/embedding_weight.py --report [--seeds 0,1,2,3,4]

Each run starts from ASReview's starting records for that review and seed (`peer.draw_priors`),
on 2 processes; CPU seconds are each run's process time (the vectors' one-off cost is in
`embeddings.py`'s report). The TF-IDF default (`select_models.py`'s cached `svm` runs, same seeds)
and ASReview (ELAS u4, `peer.py`'s cache) are scored beside it. For each held-out review, the
weight with the best mean score, (WSS@95 ASReview def + recall@10%) / 2, on the other reviews is
the one scored on it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import peer  # noqa: E402
import select_models  # noqa: E402
from report import bootstrap_ci  # noqa: E402
from run_benchmark import candidate_of  # noqa: E402

VECTORS = HERE / "out" / "embeddings"
RESULTS = HERE / "results_embedding_weight.json"
FIGURES = ("wss95_asreview", "wss95_classic", "recall_at_10", "records_to_95")


def run_one(job: tuple[float, str, int]) -> dict[str, Any]:
    from litrev.screening.ranking.embedding_cache import embed_texts_cached
    from litrev.screening.ranking.embeddings import EmbeddingRankingModel, FixedVectors
    from litrev.screening.ranking.simulate import simulate_once

    weight, review, seed = job
    data = peer.load(review)
    vectors = embed_texts_cached(data.records, VECTORS / f"{review}.npz", progress=False)
    model = EmbeddingRankingModel(seed=seed, embedding_weight=weight, source=FixedVectors(vectors))
    start = time.process_time()
    run = simulate_once(data, model, seed=seed, priors=peer.draw_priors(data.labels, seed))
    metrics = run.metrics.as_dict()
    return {
        "weight": weight,
        "review": review,
        "seed": seed,
        **{k: float(metrics[k]) for k in FIGURES},
        "cpu_seconds": time.process_time() - start,
    }


def report(results: dict[str, Any], seeds: list[int]) -> str:
    """Tables over `seeds`, for the weights that have a run on every review for each of them."""
    runs = [r for r in results["runs"] if r["seed"] in seeds]
    every = {(r["review"], r["seed"]) for r in runs}
    weights = sorted(
        w
        for w in {r["weight"] for r in runs}
        if {(r["review"], r["seed"]) for r in runs if r["weight"] == w} == every
    )
    runs = [r for r in runs if r["weight"] in weights]
    reviews = [rv for rv in peer.REVIEWS if any(r["review"] == rv for r in runs)]
    tfidf = results.get("tfidf_candidate", "svm")  # the TF-IDF default the ensemble is built on

    mean = select_models.mean_of  # a candidate's mean figure (or "score") over runs
    table: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rv in reviews:
        for w in weights:
            table[(f"{w:g}", rv)] = [r for r in runs if r["review"] == rv and r["weight"] == w]
        table[("tfidf", rv)] = [
            json.loads(select_models.cache_path(tfidf, rv, s).read_text()) for s in seeds
        ]
        table[("asreview", rv)] = [json.loads(peer.cache_path(rv, s).read_text()) for s in seeds]
    names = [f"{w:g}" for w in weights]
    lines = [
        f"{len(reviews)} reviews, seeds {seeds}.",
        "",
        "| model | mean WSS@95 (ASReview def) | mean recall@10% | CPU s (sum) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name in [*names, "tfidf", "asreview"]:
        label = {"tfidf": f"TF-IDF default (`{tfidf}`)", "asreview": "ASReview ELAS u4"}.get(
            name, f"TF-IDF + embeddings, weight {name}"
        )
        w = np.mean([mean(table[(name, rv)], "wss95_asreview") for rv in reviews])
        r = np.mean([mean(table[(name, rv)], "recall_at_10") for rv in reviews])
        cpu = sum(x["cpu_seconds"] for rv in reviews for x in table[(name, rv)])
        lines.append(f"| {label} | {w:.4f} | {r:.4f} | {cpu:.0f} |")
    held = []
    lines += [
        "",
        "| held-out review | weight chosen on the others | WSS@95 | recall@10% | "
        "TF-IDF WSS@95 | TF-IDF recall@10% |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for out in reviews:
        rest = [rv for rv in reviews if rv != out]
        chosen = max(names, key=lambda n: np.mean([mean(table[(n, rv)], "score") for rv in rest]))
        row = [mean(table[(chosen, out)], k) for k in ("wss95_asreview", "recall_at_10")]
        row += [mean(table[("tfidf", out)], k) for k in ("wss95_asreview", "recall_at_10")]
        row += [mean(table[("asreview", out)], k) for k in ("wss95_asreview", "recall_at_10")]
        held.append(row)
        lines.append(f"| {out} | {chosen} | " + " | ".join(f"{v:.3f}" for v in row[:4]) + " |")
    h = np.array(held)
    lines += [
        "",
        f"LORO mean: WSS@95 {h[:, 0].mean():.3f}, recall@10% {h[:, 1].mean():.3f}; the TF-IDF "
        f"default {h[:, 2].mean():.3f} / {h[:, 3].mean():.3f}; ASReview {h[:, 4].mean():.3f} / "
        f"{h[:, 5].mean():.3f}. Held-out reviews better than ASReview (by mean score): "
        f"{int(((h[:, 0] + h[:, 1]) > (h[:, 4] + h[:, 5])).sum())}/{len(reviews)}; better than "
        f"the TF-IDF default: {int(((h[:, 0] + h[:, 1]) > (h[:, 2] + h[:, 3])).sum())}/"
        f"{len(reviews)}.",
    ]
    lines += [
        "",
        "| paired difference, held-out ensemble - ASReview | mean | 95% CI (bootstrap over "
        "reviews) |",
        "| --- | ---: | ---: |",
    ]
    for label, mine, theirs in (("WSS@95 (ASReview def)", 0, 4), ("recall@10%", 1, 5)):
        diff = h[:, mine] - h[:, theirs]
        low, high = bootstrap_ci(diff)
        lines.append(f"| {label} | {diff.mean():+.3f} | [{low:+.3f}, {high:+.3f}] |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", type=float, nargs="*", default=[0.2, 0.4, 1.0])
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--report", action="store_true", help="only print the tables")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    if args.report:
        print(report(json.loads(RESULTS.read_text(encoding="utf-8")), seeds))
        return
    reviews = [rv for rv in peer.REVIEWS if (VECTORS / f"{rv}.npz").exists()]
    missing = sorted(set(peer.REVIEWS) - set(reviews))
    if missing:
        print(f"no cached vectors for {missing}: run embeddings.py --embed-only", flush=True)
    # Largest first, so the two processes finish together.
    reviews.sort(key=lambda rv: -peer.source_csv(rv).stat().st_size)
    jobs = [(w, rv, s) for rv in reviews for w in args.weights for s in seeds]
    with multiprocessing.Pool(2) as pool:
        runs = pool.map(run_one, jobs, chunksize=1)
    # Merged into the results file: a run of these weights and seeds replaces an earlier one.
    tfidf = candidate_of("default")[0]
    results: dict[str, Any] = {"tfidf_candidate": tfidf, "runs": []}
    if RESULTS.exists():
        results = json.loads(RESULTS.read_text(encoding="utf-8"))
        if results.get("tfidf_candidate", "svm") != tfidf:
            raise SystemExit(
                f"{RESULTS} holds runs built on {results['tfidf_candidate']!r}, "
                f"the default is now {tfidf!r}: move the file aside first"
            )
    done = {(r["weight"], r["review"], r["seed"]) for r in runs}
    results["runs"] = [
        r for r in results["runs"] if (r["weight"], r["review"], r["seed"]) not in done
    ] + runs
    results.pop("seeds", None)
    results.pop("weights", None)
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    tmp.replace(RESULTS)
    print(report(results, seeds))


if __name__ == "__main__":
    main()
