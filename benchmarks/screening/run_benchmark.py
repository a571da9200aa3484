"""litrev's default ranking model against `asreview simulate` (ELAS u4) on every labelled review.

For each review in `shared/benchmarks/screening/` (synergy_v1/ and extra/: 12) and seed, both tools
start from the same two records (one inclusion, one exclusion, `draw_priors(labels, seed)`) and
screen until the last inclusion is found. Metrics for both come from `litrev.screening.ranking.metrics`
applied to each tool's order after the priors.

    nice -n 10 .venv/bin/python benchmarks/screening/run_benchmark.py --seeds 5 \
        > benchmarks/screening/logs/benchmark.log 2>&1
    .venv/bin/python benchmarks/screening/report.py     # RESULTS.md tables from results.json

ASReview runs come from (or go to) the per-review, per-seed cache of `peer.py`; litrev runs from
the cache of `select_models.py` under the name of the candidate that `make_model("default")` is
(runs of the selection grid are reused, not repeated). ASReview's time is its command-line run
(start-up and CSV reading included); litrev's is the in-process simulation (features included,
interpreter start-up not). Both CPU figures are user + system seconds from `getrusage`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import peer  # noqa: E402
import select_models  # noqa: E402

from litrev.screening.ranking.model import MODELS  # noqa: E402


def candidate_of(model: str) -> tuple[str, dict]:
    """The selection candidate whose settings `MODELS[model]` are (its runs are reusable)."""
    spec = MODELS[model]
    for name, options in select_models.CANDIDATES.items():
        if options == spec:
            return name, options
    return f"model-{model}", dict(spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="number of seeds, from 0")
    parser.add_argument("--reviews", nargs="*", default=peer.REVIEWS)
    parser.add_argument("--model", default="default", help="litrev model name (make_model)")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    name, spec = candidate_of(args.model)
    version = peer.asreview_version()
    results: list[dict] = []
    started = time.perf_counter()
    for review in args.reviews:
        for seed in range(args.seeds):
            for tool in ("asreview", "litrev"):
                if tool == "asreview":
                    run = peer.asreview_run(review, seed)
                else:
                    run = select_models.litrev_run(name, spec, review, seed)
                run = {k: v for k, v in run.items() if k != "order"}
                run["tool"] = tool
                results.append(run)
                print(
                    f"[{time.perf_counter() - started:7.0f}s] {review} seed {seed} {tool:8s} "
                    f"WSS@95 {run['wss95_asreview']:.3f} recall@10 {run['recall_at_10']:.3f} "
                    f"CPU {run['cpu_seconds']:.1f}s",
                    flush=True,
                )
        payload = {
            "asreview_version": version,
            "litrev_model": args.model,
            "litrev_candidate": name,
            "runs": results,
        }
        tmp = args.out.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, indent=1, default=float), encoding="utf-8")
        tmp.replace(args.out)
    print(f"done in {time.perf_counter() - started:.0f}s; wrote {args.out}")


if __name__ == "__main__":
    main()
