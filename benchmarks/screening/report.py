"""Turn benchmarks/screening/results.json (from run_benchmark.py) into the tables of RESULTS.md.

    .venv/bin/python benchmarks/screening/report.py [results.json]

Per review: the mean over seeds for each tool (only seeds both tools finished). Paired
differences (litrev - ASReview) per review, their mean with a 95% bootstrap interval over reviews
(10,000 resamples, seed 0), and the number of reviews litrev wins. Then the stopping rules
replayed on litrev's orders.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
KEYS = (
    "wss95_asreview",
    "wss95_classic",
    "recall_at_10",
    "records_to_95",
    "cpu_seconds",
    "seconds",
)
LABELS = {
    "wss95_asreview": "WSS@95 (ASReview def)",
    "wss95_classic": "WSS@95 (classic)",
    "recall_at_10": "recall@10%",
    "records_to_95": "records screened to 95% recall",
    "cpu_seconds": "CPU s/run",
    "seconds": "wall s/run",
}


def bootstrap_ci(values: np.ndarray, n: int = 10_000, seed: int = 0) -> tuple[float, float]:
    """95% percentile interval of the mean, resampling the reviews."""
    rng = np.random.RandomState(seed)
    means = values[rng.randint(0, len(values), (n, len(values)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def main(path: Path) -> None:
    payload = json.loads(path.read_text(encoding="utf-8"))
    runs = payload["runs"]
    by: dict[tuple[str, str], dict[int, dict]] = defaultdict(dict)
    for run in runs:
        by[(run["review"], run["tool"])][run["seed"]] = run
    reviews = list(dict.fromkeys(run["review"] for run in runs))
    means: dict[tuple[str, str, str], float] = {}
    seeds_of: dict[str, list[int]] = {}
    for review in reviews:
        common = sorted(set(by[(review, "litrev")]) & set(by[(review, "asreview")]))
        seeds_of[review] = common
        for tool in ("litrev", "asreview"):
            for key in KEYS:
                means[(review, tool, key)] = float(
                    np.mean([by[(review, tool)][s][key] for s in common])
                )
    reviews = [r for r in reviews if seeds_of[r]]
    print(
        f"litrev `{payload['litrev_model']}` (candidate `{payload['litrev_candidate']}`) against "
        f"ASReview {payload['asreview_version']} ELAS u4; mean over seeds per review.\n"
    )
    header = " | ".join(f"{LABELS[k]}: litrev | ASReview" for k in KEYS)
    print(f"| review | records | incl. | {header} | seeds |")
    print("| --- | ---: | ---: |" + " ---: | ---: |" * len(KEYS) + " ---: |")
    for review in reviews:
        first = by[(review, "litrev")][seeds_of[review][0]]
        cells = [review, str(first["n_records"] + 2), str(first["n_relevant"] + 1)]
        for key in KEYS:
            for tool in ("litrev", "asreview"):
                cells.append(_fmt(key, means[(review, tool, key)]))
        cells.append(",".join(map(str, seeds_of[review])))
        print("| " + " | ".join(cells) + " |")
    cells = [f"**mean of {len(reviews)} reviews**", "", ""]
    for key in KEYS:
        for tool in ("litrev", "asreview"):
            cells.append(f"**{_fmt(key, np.mean([means[(r, tool, key)] for r in reviews]))}**")
    print("| " + " | ".join(cells) + " |\n")
    print(
        "| paired difference, litrev - ASReview | mean | 95% CI (bootstrap over reviews) | "
        "reviews litrev better |"
    )
    print("| --- | ---: | ---: | ---: |")
    for key in ("wss95_asreview", "wss95_classic", "recall_at_10", "records_to_95"):
        diff = np.array([means[(r, "litrev", key)] - means[(r, "asreview", key)] for r in reviews])
        low, high = bootstrap_ci(diff)
        better = int((diff < 0).sum() if key == "records_to_95" else (diff > 0).sum())
        print(
            f"| {LABELS[key]} | {diff.mean():+.3f} | [{low:+.3f}, {high:+.3f}] | "
            f"{better}/{len(reviews)} |"
        )
    score = np.array(
        [
            (means[(r, "litrev", "wss95_asreview")] + means[(r, "litrev", "recall_at_10")])
            - (means[(r, "asreview", "wss95_asreview")] + means[(r, "asreview", "recall_at_10")])
            for r in reviews
        ]
    )
    print(
        f"\nReviews where litrev's WSS@95 + recall@10% is higher: {int((score > 0).sum())}/"
        f"{len(reviews)}."
    )
    for tool in ("litrev", "asreview"):
        mine = [by[(r, tool)][s] for r in reviews for s in seeds_of[r]]
        print(
            f"Total over the {len(mine)} paired runs, {tool}: CPU "
            f"{sum(r['cpu_seconds'] for r in mine):.0f} s, wall {sum(r['seconds'] for r in mine):.0f} s."
        )
    print()
    stopping_table([by[(r, "litrev")][s] for r in reviews for s in seeds_of[r]])


def _fmt(key: str, value: float) -> str:
    if key == "records_to_95":
        return f"{value:.0f}"
    return f"{value:.1f}" if "seconds" in key else f"{value:.3f}"


def stopping_table(runs: list[dict]) -> None:
    print(
        "| stopping rule | runs | fired | share stopping at >= 95% recall | mean recall at stop "
        "| mean records saved | mean share of records saved |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    rules = sorted({stop["rule"] for run in runs for stop in run["stopping"]})
    for rule in rules:
        points = [(run, stop) for run in runs for stop in run["stopping"] if stop["rule"] == rule]
        total = [run["n_records"] + 2 for run, _ in points]
        saved = [stop["records_saved"] for _, stop in points]
        print(
            f"| {rule} | {len(points)} | {sum(s['fired'] for _, s in points)} | "
            f"{np.mean([s['recall'] >= 0.95 - 1e-12 for _, s in points]):.0%} | "
            f"{np.mean([s['recall'] for _, s in points]):.3f} | {np.mean(saved):.0f} | "
            f"{np.mean(np.array(saved) / np.array(total)):.1%} |"
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "results.json")
