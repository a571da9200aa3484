"""Turn benchmarks/screening/results*.json into the tables of RESULTS.md (printed as Markdown).

Several files (shards of one benchmark started together) are merged.

    .venv/bin/python benchmarks/screening/report.py benchmarks/screening/results_*.json
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
KEYS = ("wss95_asreview", "wss95_classic", "recall_at_10", "seconds", "cpu_seconds")


def main(paths: list[Path]) -> None:
    payloads = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    payload = payloads[0]
    runs, seen = [], set()
    for run in (run for p in payloads for run in p["runs"]):
        key = (run["review"], run["seed"], run["tool"])
        if key not in seen:  # a seed run by two shards counts once (the first written)
            seen.add(key)
            runs.append(run)
    by = defaultdict(list)
    for run in runs:
        by[(run["review"], run["tool"])].append(run)
    reviews = sorted({run["review"] for run in runs})
    seeds = sorted({run["seed"] for run in runs})
    print(f"ASReview LAB {payload['asreview_version']} (ELAS u4) against litrev 'default'; "
          f"seeds {seeds[0]}..{seeds[-1]} per review; mean over seeds.\n")
    print("| review | records | incl. | WSS@95 ASReview-def: litrev | ASReview | "
          "WSS@95 classic: litrev | ASReview | recall@10%: litrev | ASReview | "
          "wall s/run: litrev | ASReview | CPU s/run: litrev | ASReview | seeds |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
          "| ---: |")
    totals = defaultdict(list)
    for review in reviews:
        lit, asr = by[(review, "litrev")], by[(review, "asreview")]
        if not lit or not asr:
            continue
        row = [review, str(lit[0]["n_records"] + 2), str(lit[0]["n_relevant"] + 1)]
        # Only seeds both tools finished count, so the two columns compare the same runs.
        common = {r["seed"] for r in lit} & {r["seed"] for r in asr}
        lit = [r for r in lit if r["seed"] in common]
        asr = [r for r in asr if r["seed"] in common]
        if not common:
            continue
        for key in KEYS:
            for tool, group in (("litrev", lit), ("asreview", asr)):
                value = float(np.mean([r[key] for r in group]))
                totals[(key, tool)].append(value)
                row.append(f"{value:.1f}" if "seconds" in key else f"{value:.3f}")
        row.append(",".join(str(s) for s in sorted(common)))
        print("| " + " | ".join(row) + " |")
    mean_row = ["**mean of reviews**", "", ""]
    for key in KEYS:
        for tool in ("litrev", "asreview"):
            value = float(np.mean(totals[(key, tool)]))
            mean_row.append(f"**{value:.1f}**" if "seconds" in key else f"**{value:.3f}**")
    mean_row.append("")
    print("| " + " | ".join(mean_row) + " |")
    paired = {(r["review"], r["seed"]) for r in runs if r["tool"] == "litrev"} & {
        (r["review"], r["seed"]) for r in runs if r["tool"] == "asreview"}
    for tool in ("litrev", "asreview"):
        mine = [r for r in runs if r["tool"] == tool and (r["review"], r["seed"]) in paired]
        print(f"\nTotal over the {len(mine)} paired runs, {tool}: wall {sum(r['seconds'] for r in mine):.0f} s, "
              f"CPU {sum(r.get('cpu_seconds', float('nan')) for r in mine):.0f} s.", end="")
    print("\n")
    stopping_table([r for r in runs if r["tool"] == "litrev" and r["stopping"]])


def stopping_table(runs: list[dict]) -> None:
    print("| stopping rule | runs | fired | share stopping at >= 95% recall | mean recall at stop "
          "| mean records saved | mean share of records saved |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    rules = sorted({stop["rule"] for run in runs for stop in run["stopping"]})
    for rule in rules:
        points = [(run, stop) for run in runs for stop in run["stopping"] if stop["rule"] == rule]
        total = [run["n_records"] + 2 for run, _ in points]
        saved = [stop["records_saved"] for _, stop in points]
        print(f"| {rule} | {len(points)} | {sum(s['fired'] for _, s in points)} | "
              f"{np.mean([s['recall'] >= 0.95 - 1e-12 for _, s in points]):.0%} | "
              f"{np.mean([s['recall'] for _, s in points]):.3f} | {np.mean(saved):.0f} | "
              f"{np.mean(np.array(saved) / np.array(total)):.1%} |")


if __name__ == "__main__":
    main([Path(a) for a in sys.argv[1:]] or sorted(HERE.glob("results*.json")))
