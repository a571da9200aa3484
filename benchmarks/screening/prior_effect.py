"""Must-show 3 of issue 13: the protocol prior's effect, alone and blended, against the same model without it.

For every labelled review in ../shared/benchmarks/screening/ (synergy_v1/ and extra/) and seeds 0-2:

* warm start: the main benchmark's starting records (`draw_priors`: one inclusion, one exclusion,
  by seed); `default` alone, the prior alone (prior-only ranking, never learning), and
  `default` + prior blended;
* cold start: no starting record at all; `default` alone takes records in a seeded random order
  until it has an inclusion and an exclusion; the prior alone; and the blend.

The prior of each review is its criteria text, `benchmarks/screening/criteria/<review>.md`
(title and, where found, the published question; no search strategies are available for these
data sets). The blend constant k is chosen out of sample: for each review, the k of the grid
with the best mean recall@10% over the OTHER reviews (leave-one-review-out), from warm runs of
the blend cut at 10% screened; that review's blended runs then use its k. The prior matters
while there are few inclusions, so the early part of the run is what k changes.

To fit the CPU budget every run stops once 95% of the inclusions after the starting records
are found and at least 10% of the records are screened: WSS@95 (both definitions), recall@10%,
records to 95% recall and records to the first inclusion are exact at that point; records to
100% recall and the stopping rules are not reported. Everything runs in this one process
under `nice -n 10`; CPU seconds are process time.

    nice -n 10 .venv/bin/python benchmarks/screening/prior_effect.py            # all, seeds 0-2
    nice -n 10 .venv/bin/python benchmarks/screening/prior_effect.py --reviews Sep_2021 --seeds 1
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "benchmarks" / "screening"
CRITERIA = Path(__file__).resolve().parent / "criteria"
FIGURES = ("wss95_asreview", "wss95_classic", "recall_at_10", "records_to_first", "records_to_95")
GRID = (1.0, 4.0)  # two candidates keep the runs within the CPU budget


def datasets() -> dict[str, Path]:
    """Every labelled review, by name: `peer.discover` (each CSV one folder down)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import peer

    return peer.discover(DATA)


def run_one(
    data,
    ranker,
    seed: int,
    cold: bool,
    stop_recall: float = 0.95,
    min_screened: float = 0.10,
    batch_divisor: int = 100,
) -> dict[str, float]:
    """One simulation, cut short once 95% of the inclusions are found and 10% of the records
    screened: every figure reported here is exact at that point (see `simulate_once`)."""
    from litrev.screening.ranking.simulate import simulate_once

    start = time.process_time()
    kwargs = {"n_prior_included": 0, "n_prior_excluded": 0} if cold else {}
    run = simulate_once(
        data,
        ranker,
        seed,
        stop_recall=stop_recall,
        min_screened=min_screened,
        batch_divisor=batch_divisor,
        **kwargs,
    )
    out = {k: float(getattr(run.metrics, k)) for k in FIGURES if k != "records_to_first"}
    first = run.records_to_first
    out["records_to_first"] = float(first) if first is not None else float("nan")
    out["cpu"] = time.process_time() - start
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", nargs="*", help="review names (default: all)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--grid", type=float, nargs="*", default=list(GRID))
    parser.add_argument(
        "--batch-divisor",
        type=int,
        default=100,
        help="retraining schedule (simulate_once); the main benchmark uses 1000",
    )
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent / "prior_effect.json"
    )
    parser.add_argument(
        "--report",
        type=Path,
        help="only print the tables of a results file (a partial one: its complete reviews)",
    )
    args = parser.parse_args()
    if args.report is not None:
        print(report_file(args.report, args.grid, args.seeds))
        return

    from litrev.screening.ranking.blend import PriorRankingModel
    from litrev.screening.ranking.model import make_model
    from litrev.screening.ranking.prior import ProtocolPrior
    from litrev.screening.ranking.simulate import load_labelled_csv

    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    from litrev.screening.ranking import model as rank_module

    default_components = getattr(rank_module, "MODELS", {}).get("default")
    results: dict[str, dict[str, list[dict[str, float]]]] = {}
    wall = time.perf_counter()
    cpu = time.process_time()
    loaded = {}
    for name, path in datasets().items():
        if args.reviews and name not in args.reviews:
            continue
        criteria = CRITERIA / f"{name}.md"
        if not criteria.exists():  # said, not skipped silently: the prior needs a criteria text
            print(f"{name}: no criteria text at {criteria}; write one to include it", flush=True)
            continue
        data = load_labelled_csv(path)
        prior = ProtocolPrior.from_text(criteria.read_text(encoding="utf-8"))
        loaded[name] = (data, prior)
    # Smallest reviews first, and the file rewritten after each one: a run stopped early still
    # leaves complete reviews behind.
    for name, (data, prior) in sorted(loaded.items(), key=lambda item: len(item[1][0])):
        configs = results.setdefault(name, {})
        for seed in range(args.seeds):
            for tag, cold in (("warm", False), ("cold", True)):
                rankers = {
                    "default": make_model("default", seed=seed),
                    "prior": PriorRankingModel(None, prior),
                }
                for k in args.grid:
                    rankers[f"blend_k{k:g}"] = PriorRankingModel(
                        make_model("default", seed=seed), prior, k
                    )
                for label, ranker in rankers.items():
                    configs.setdefault(f"{tag}:{label}", []).append(
                        run_one(data, ranker, seed, cold, batch_divisor=args.batch_divisor)
                    )
        _progress(name, configs, "warm")
        _progress(name, configs, "cold")
        partial = {
            "commit": commit,
            "partial": True,
            "runs": results,
            "default_model": repr(default_components),
            "batch_divisor": args.batch_divisor,
            "cpu_seconds": time.process_time() - cpu,
            "wall_seconds": time.perf_counter() - wall,
        }
        args.out.write_text(json.dumps(partial, indent=1), encoding="utf-8")
    chosen = choose_k(results, args.grid, "warm", "wss95_asreview")
    summary = summarise(results, chosen, args.grid)
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--short", "--", "src/litrev/screening"],
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    payload = {
        "commit": commit,
        "uncommitted_at_run": [d for d in dirty if d.strip()],
        "default_model": repr(default_components),
        "seeds": args.seeds,
        "grid": args.grid,
        "cpu_seconds": time.process_time() - cpu,
        "batch_divisor": args.batch_divisor,
        "wall_seconds": time.perf_counter() - wall,
        "summary": summary,
        "runs": results,
    }
    args.out.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    print(report(payload))


def _progress(name: str, configs: dict[str, list[dict[str, float]]], tag: str) -> None:
    line = ", ".join(
        f"{c}={np.mean([r['wss95_asreview'] for r in runs]):.3f}"
        for c, runs in configs.items()
        if c.startswith(tag)
    )
    print(f"{name}: {line}", flush=True)


def choose_k(
    results: dict[str, dict[str, list[dict[str, float]]]], grid: list[float], tag: str, key: str
) -> dict[str, float]:
    """Leave-one-review-out: for each review, the k with the best mean `key` over the other
    reviews (ties: the smaller k)."""
    chosen = {}
    for held in results:
        others = [r for r in results if r != held] or [held]
        score = {
            k: np.mean([_mean(results[r][f"{tag}:blend_k{k:g}"], key) for r in others])
            for k in grid
        }
        chosen[held] = max(grid, key=lambda k: (round(float(score[k]), 6), -k))
    return chosen


def _mean(runs: list[dict[str, float]], key: str) -> float:
    values = [r[key] for r in runs if np.isfinite(r[key])]
    return float(np.mean(values)) if values else float("nan")


def summarise(
    results: dict[str, dict[str, list[dict[str, float]]]],
    chosen: dict[str, float],
    grid: list[float],
) -> dict[str, object]:
    """Per start and review: the k chosen without it, and the mean figures of each arm."""
    out: dict[str, object] = {}
    for tag in ("warm", "cold"):
        rows = {}
        for held, k in chosen.items():
            arms = {
                "default": results[held][f"{tag}:default"],
                "prior": results[held][f"{tag}:prior"],
                "blend": results[held][f"{tag}:blend_k{k:g}"],
            }
            rows[held] = {
                "k": k,
                **{
                    arm: {key: _mean(runs, key) for key in (*FIGURES, "cpu")}
                    for arm, runs in arms.items()
                },
            }
        out[tag] = {"rows": rows}
    everywhere = {
        k: np.mean([_mean(results[r][f"warm:blend_k{k:g}"], "wss95_asreview") for r in results])
        for k in grid
    }
    out["k_on_all"] = max(grid, key=lambda k: (round(float(everywhere[k]), 6), -k))
    out["wss_by_k_on_all"] = {f"{k:g}": float(v) for k, v in everywhere.items()}
    return out


def report_file(path: Path, grid: list[float], seeds: int) -> str:
    """Tables from a results file; of a partial one, the reviews with every arm and seed done."""
    payload = json.loads(path.read_text(encoding="utf-8"))
    runs = payload["runs"]
    arms = [f"{t}:{a}" for t in ("warm", "cold") for a in ("default", "prior")]
    arms += [f"{t}:blend_k{k:g}" for t in ("warm", "cold") for k in grid]
    complete = {
        name: configs
        for name, configs in runs.items()
        if all(len(configs.get(arm, [])) == seeds for arm in arms)
    }
    chosen = choose_k(complete, grid, "warm", "wss95_asreview")
    payload.update(summary=summarise(complete, chosen, grid), seeds=seeds)
    payload.setdefault("default_model", "?")
    payload.setdefault("wall_seconds", float("nan"))
    missing = sorted(set(datasets()) - set(complete))
    note = f"\n\nNot run within the CPU budget: {', '.join(missing)}." if missing else ""
    return report(payload) + note


def report(payload: dict[str, object]) -> str:
    """Markdown tables for RESULTS.md."""
    summary = payload["summary"]
    assert isinstance(summary, dict)
    lines = []
    for tag, title in (
        ("warm", "one inclusion and one exclusion to start (the main benchmark's)"),
        ("cold", "no starting record (cold start)"),
    ):
        block = summary[tag]
        rows = block["rows"]
        lines += [
            f"**{title}**, mean of {payload['seeds']} seeds; blend k chosen leave-one-review-out",
            "",
            "| review | k | WSS@95 ASR: default / prior / blend | WSS@95 classic: default / prior / blend "
            "| recall@10%: default / prior / blend | to first inclusion: default / prior / blend |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, row in rows.items():
            cells = []
            for key, fmt in (
                ("wss95_asreview", "{:.3f}"),
                ("wss95_classic", "{:.3f}"),
                ("recall_at_10", "{:.3f}"),
                ("records_to_first", "{:.1f}"),
            ):
                cells.append(
                    " / ".join(fmt.format(row[arm][key]) for arm in ("default", "prior", "blend"))
                )
            lines.append(f"| {name} | {row['k']:g} | " + " | ".join(cells) + " |")
        means = []
        for key, fmt in (
            ("wss95_asreview", "{:.3f}"),
            ("wss95_classic", "{:.3f}"),
            ("recall_at_10", "{:.3f}"),
            ("records_to_first", "{:.1f}"),
        ):
            means.append(
                " / ".join(
                    fmt.format(np.mean([r[arm][key] for r in rows.values()]))
                    for arm in ("default", "prior", "blend")
                )
            )
        wins = sum(
            r["blend"]["wss95_asreview"] > r["default"]["wss95_asreview"] for r in rows.values()
        )
        lines.append("| **mean** | | " + " | ".join(f"**{m}**" for m in means) + " |")
        lines += [
            "",
            f"Blend ahead of default on WSS@95 (ASReview's) in {wins} of {len(rows)} reviews.",
            "",
        ]
    lines.append(
        f"k chosen on all reviews: {summary['k_on_all']:g}; mean WSS@95 (ASReview's; warm, blend) by k: "
        + ", ".join(f"{k}: {v:.3f}" for k, v in summary["wss_by_k_on_all"].items())
        + "."
    )
    lines.append(
        f"CPU {payload['cpu_seconds']:.0f} s, wall {payload['wall_seconds']:.0f} s, one process, "
        f"commit {payload['commit']}; `default` = {payload['default_model']}."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
