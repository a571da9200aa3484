"""Choose the default ranking model out of sample: every candidate on every labelled review,
then leave-one-review-out (LORO).

(Named select_models.py, not select.py: a script named select.py in its own directory shadows
the standard library's `select` module.)

    nice -n 10 .venv/bin/python benchmarks/screening/select_models.py run --seeds 0,1 \
        > benchmarks/screening/logs/select.log 2>&1
    .venv/bin/python benchmarks/screening/select_models.py report > benchmarks/screening/selection.md

`run` simulates each candidate (`CANDIDATES`: keyword arguments of `RankingModel`) on each review
from the same starting records as ASReview's runs (`draw_priors(labels, seed)`), one run at a time
in this one process, and caches each run in `cache/litrev_<candidate>_<review>_<seed>.json`
(metrics, screening order, stopping points, CPU seconds from `getrusage`). A cached run is not
repeated, so an interrupted grid resumes.

`report` scores a candidate on a review by the mean over seeds of (WSS@95 ASReview's definition +
recall@10%) / 2. For each held-out review it picks the candidate with the best mean score on the
other reviews and records that candidate's figures on the held-out one; the LORO estimate is the
mean of those held-out figures. The default is the candidate with the best mean on all reviews.
Only seeds that every candidate finished on a review count, so candidates compare like for like.
"""

from __future__ import annotations

import argparse
import json
import resource
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

BASE: dict[str, Any] = {"min_df": 2, "pseudo_negatives": 20}
CANDIDATES: dict[str, dict[str, Any]] = {
    # The default before this selection (chosen on the nine SYNERGY reviews).
    "svm": {"components": ("svm",), **BASE},
    "svm-title": {"components": ("svm",), "title_weight": 0.5, **BASE},
    "svm-char": {"components": ("svm",), "char_weight": 1.0, **BASE},
    "svm-double": {
        "components": ("svm",),
        "balance": "double",
        "params": {"svm": {"ratio": 0}},
        **BASE,
    },
    "svm-cnb": {"components": ("svm", "cnb"), **BASE},
    "svm-lr-cnb": {"components": ("svm", "logistic", "cnb"), **BASE},
    "switch-cnb": {
        "components": ("svm", "logistic", "cnb"),
        "early_components": ("cnb",),
        "switch_at": 5,
        **BASE,
    },
    # Added in a second round (session 17): more presumed exclusions per fit, as AutoTAR's 100.
    "svm-pn50": {"components": ("svm",), "min_df": 2, "pseudo_negatives": 50},
    "svm-pn100": {"components": ("svm",), "min_df": 2, "pseudo_negatives": 100},
    # 100, but at most a tenth of the unscreened records (small reviews with many inclusions).
    "svm-pn100-cap": {
        "components": ("svm",),
        "min_df": 2,
        "pseudo_negatives": 100,
        "pseudo_share": 0.1,
    },
}
# Smallest first, so that a grid cut short still covers most reviews.
ORDER = sorted(peer.REVIEWS, key=lambda r: peer.source_csv(r).stat().st_size)


def cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cache_path(candidate: str, review: str, seed: int) -> Path:
    return peer.CACHE / f"litrev_{candidate}_{review}_{seed}.json"


def litrev_run(candidate: str, spec: dict[str, Any], review: str, seed: int) -> dict[str, Any]:
    """One simulation of a candidate (cached). CPU is this process' user + system time."""
    path = cache_path(candidate, review, seed)
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    data = peer.load(review)
    priors = peer.draw_priors(data.labels, seed)
    start, cpu = time.perf_counter(), cpu_self()
    run = simulate_once(
        data, RankingModel(name=candidate, seed=seed, **spec), seed=seed, priors=priors
    )
    seconds, cpu_seconds = time.perf_counter() - start, cpu_self() - cpu
    out = {
        "review": review,
        "seed": seed,
        "tool": "litrev",
        "candidate": candidate,
        "spec": {k: list(v) if isinstance(v, tuple) else v for k, v in spec.items()},
        "priors": priors,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        **{k: v for k, v in run.metrics.as_dict().items()},
        "n_fits": run.n_fits,
        "stopping": [s.__dict__ for s in run.stops],
        "order": run.order,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(out, default=float), encoding="utf-8")
    tmp.replace(path)
    return out


def claim(path: Path) -> bool:
    """Mark a run as being computed (lock file), so a second grid process skips it."""
    try:
        path.with_suffix(".lock").open("x").close()
    except FileExistsError:
        return False
    return True


def run_grid(candidates: list[str], reviews: list[str], seeds: list[int]) -> None:
    started = time.perf_counter()
    for seed in seeds:
        for review in reviews:
            for name in candidates:
                path = cache_path(name, review, seed)
                cached = path.exists()
                if not cached and not claim(path):
                    continue  # another grid process is on it
                try:
                    run = litrev_run(name, CANDIDATES[name], review, seed)
                finally:
                    path.with_suffix(".lock").unlink(missing_ok=True)
                print(
                    f"[{time.perf_counter() - started:6.0f}s] seed {seed} {review} {name:11s} "
                    f"{'cached' if cached else 'ran   '} WSS@95 {run['wss95_asreview']:.3f} "
                    f"recall@10 {run['recall_at_10']:.3f} CPU {run['cpu_seconds']:.1f}s",
                    flush=True,
                )


def score(run: dict[str, Any]) -> float:
    return (run["wss95_asreview"] + run["recall_at_10"]) / 2


def load_grid(
    candidates: list[str], reviews: list[str], seeds: list[int]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Runs per (candidate, review), restricted to seeds every candidate and ASReview have."""
    grid: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for review in reviews:
        common = [
            s
            for s in seeds
            if peer.cache_path(review, s).exists()
            and all(cache_path(c, review, s).exists() for c in candidates)
        ]
        for name in candidates:
            grid[(name, review)] = [
                json.loads(cache_path(name, review, s).read_text()) for s in common
            ]
        grid[("asreview", review)] = [
            json.loads(peer.cache_path(review, s).read_text()) for s in common
        ]
    return grid


def mean_of(runs: list[dict[str, Any]], key: str) -> float:
    return float(np.mean([score(r) if key == "score" else r[key] for r in runs]))


def report(candidates: list[str], reviews: list[str], seeds: list[int]) -> None:
    grid = load_grid(candidates, reviews, seeds)
    reviews = [r for r in reviews if grid[("asreview", r)]]
    keys = ("wss95_asreview", "recall_at_10", "score", "cpu_seconds")
    print(f"Reviews with every candidate finished: {len(reviews)}; seeds {seeds}.\n")
    print("| candidate | mean WSS@95 (ASReview def) | mean recall@10% | mean score | CPU s (sum) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in [*candidates, "asreview"]:
        figures = [float(np.mean([mean_of(grid[(name, r)], k) for r in reviews])) for k in keys]
        total_cpu = sum(r["cpu_seconds"] for rv in reviews for r in grid[(name, rv)])
        print(
            f"| {name} | {figures[0]:.4f} | {figures[1]:.4f} | {figures[2]:.4f} | {total_cpu:.0f} |"
        )
    print(
        "\nLeave-one-review-out: the candidate chosen on the other reviews, scored on the "
        "held-out one (ASReview's runs on the same seeds beside it).\n"
    )
    print(
        "| held-out review | chosen on the others | WSS@95 | recall@10% | ASReview WSS@95 | "
        "ASReview recall@10% |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    held: list[tuple[float, float, float, float]] = []
    for out in reviews:
        rest = [r for r in reviews if r != out]
        chosen = max(
            candidates, key=lambda c: np.mean([mean_of(grid[(c, r)], "score") for r in rest])
        )
        row = (
            mean_of(grid[(chosen, out)], "wss95_asreview"),
            mean_of(grid[(chosen, out)], "recall_at_10"),
            mean_of(grid[("asreview", out)], "wss95_asreview"),
            mean_of(grid[("asreview", out)], "recall_at_10"),
        )
        held.append(row)
        print(f"| {out} | {chosen} | {row[0]:.3f} | {row[1]:.3f} | {row[2]:.3f} | {row[3]:.3f} |")
    h = np.array(held)
    wins = int(((h[:, 0] + h[:, 1]) > (h[:, 2] + h[:, 3])).sum())
    print(
        f"| **LORO mean** | | **{h[:, 0].mean():.3f}** | **{h[:, 1].mean():.3f}** | "
        f"**{h[:, 2].mean():.3f}** | **{h[:, 3].mean():.3f}** |"
    )
    print(
        f"\nLORO paired difference to ASReview: WSS@95 {h[:, 0].mean() - h[:, 2].mean():+.3f}, "
        f"recall@10% {h[:, 1].mean() - h[:, 3].mean():+.3f}; held-out reviews where litrev's "
        f"score is higher: {wins}/{len(reviews)}."
    )
    best = max(candidates, key=lambda c: np.mean([mean_of(grid[(c, r)], "score") for r in reviews]))
    print(f"\nChosen on all {len(reviews)} reviews (the new default): **{best}**.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=("run", "report"))
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--candidates", default=",".join(CANDIDATES))
    parser.add_argument("--reviews", default=",".join(ORDER))
    parser.add_argument("--reverse", action="store_true", help="largest review first")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    candidates = args.candidates.split(",")
    reviews = args.reviews.split(",")
    if args.action == "run":
        run_grid(candidates, reviews[::-1] if args.reverse else reviews, seeds)
    else:
        report(candidates, [r for r in peer.REVIEWS if r in reviews], seeds)


if __name__ == "__main__":
    main()
