"""litrev's default ranking model against `asreview simulate` (ELAS u4), side by side in one run.

For every SYNERGY review and seed, both tools start from the same two records (one inclusion,
one exclusion, drawn by `litrev.screening.simulate.draw_priors(labels, seed)`) and screen until
the last inclusion is found. Both run as their command-line tools in a subprocess, so wall time
includes start-up and reading the CSV for both. Metrics for both come from the same functions
(`litrev.screening.metrics`, which reproduce ASReview insights' definitions exactly) applied to
each tool's screening order after the priors.

    nice -n 10 .venv/bin/python benchmarks/screening/run_benchmark.py --seeds 5 \
        > benchmarks/screening/benchmark.log 2>&1

Writes benchmarks/screening/results.json (every run) and prints progress; `report.py` turns the
JSON into RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "src"))

from litrev.screening.metrics import compute_metrics  # noqa: E402
from litrev.screening.simulate import draw_priors, load_labelled_csv  # noqa: E402

DATA = REPO.parent / "shared" / "benchmarks" / "screening" / "synergy_v1"
REVIEWS = ["Chou_2004", "Donners_2021", "Jeyaraman_2020", "Meijboom_2021", "Menon_2022",
           "Nelson_2002", "Oud_2018", "Sep_2021", "van_der_Valk_2021"]
ASREVIEW_VENV = Path("/work/venvs/asreview")


def ensure_asreview(venv: Path) -> Path:
    # The setup script is idempotent: it installs the pinned version only when missing.
    subprocess.run(["bash", str(HERE / "setup_asreview.sh"), str(venv)], check=True)
    return venv / "bin" / "asreview"


def asreview_order(project: Path) -> list[int]:
    """Dataset rows in the order ASReview labelled them (priors included), from results.db."""
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(project) as archive:
            databases = [archive.extract(n, tmp) for n in archive.namelist() if n.endswith(".db")]
        row_of: dict[int, int] = {}
        labelled: list[tuple[int]] = []
        # ASReview 3 keeps records and results in one results.db; 2.x splits them in two files.
        for database in databases:
            with sqlite3.connect(database) as connection:
                tables = {t for (t,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")}
                if "record" in tables:
                    row_of.update(connection.execute("SELECT record_id, dataset_row FROM record"))
                if "results" in tables:
                    labelled = connection.execute(
                        "SELECT record_id FROM results ORDER BY rowid").fetchall()
        return [int(row_of[record_id]) for (record_id,) in labelled]


def run_asreview(exe: Path, csv: Path, priors: list[int], seed: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "sim.asreview"
        command = [str(exe), "simulate", str(csv), "--ai", "elas_u4", "--seed", str(seed),
                   "--prior-idx", *map(str, priors), "-o", str(project)]
        start, cpu = time.perf_counter(), _children_cpu()
        subprocess.run(command, check=True, capture_output=True)
        seconds, cpu_seconds = time.perf_counter() - start, _children_cpu() - cpu
        order = asreview_order(project)
    return {"order": order, "seconds": seconds, "cpu_seconds": cpu_seconds,
            "command": " ".join(command[1:])}


def run_litrev(csv: Path, priors: list[int], seed: int) -> dict[str, object]:
    command = [str(REPO / ".venv" / "bin" / "litrev"), "simulate", str(csv), "--seed", str(seed),
               "--json"]
    for index in priors:
        command += ["--prior-idx", str(index)]
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    seconds, cpu_seconds = time.perf_counter() - start, _children_cpu() - cpu
    figures = json.loads(done.stdout)
    run = figures["runs"][0]
    return {"order": run.get("order"), "figures": figures, "seconds": seconds,
            "cpu_seconds": cpu_seconds, "command": " ".join(command[1:])}


def _children_cpu() -> float:
    """User + system CPU seconds of finished child processes: load-independent, unlike wall time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def metrics_after_priors(labels: np.ndarray, order: list[int], priors: list[int]) -> dict:
    after = [i for i in order if i not in set(priors)]
    sequence = np.concatenate([labels[after], np.zeros(len(labels) - len(priors) - len(after))])
    return compute_metrics(sequence.astype(int)).as_dict()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="number of seeds")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="seeds run from here: shards of one benchmark can split the seeds")
    parser.add_argument("--reviews", nargs="*", default=REVIEWS)
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--asreview-venv", type=Path, default=ASREVIEW_VENV)
    args = parser.parse_args()
    exe = ensure_asreview(args.asreview_venv)
    version = subprocess.run([str(args.asreview_venv / "bin" / "python"), "-c",
                              "import asreview; print(asreview.__version__)"],
                             check=True, capture_output=True, text=True).stdout.strip()
    results: list[dict[str, object]] = []
    started = time.perf_counter()
    for review in args.reviews:
        csv = DATA / f"{review}.csv"
        data = load_labelled_csv(csv)
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            priors = draw_priors(data.labels, seed)
            # Alternate which tool goes first so that load drifts on the shared machine even out.
            tools = ["asreview", "litrev"] if seed % 2 == 0 else ["litrev", "asreview"]
            for tool in tools:
                if tool == "asreview":
                    out = run_asreview(exe, csv, priors, seed)
                    figures = metrics_after_priors(data.labels, out["order"], priors)
                    stopping = None
                else:
                    out = run_litrev(csv, priors, seed)
                    run = out["figures"]["runs"][0]
                    figures = {k: run[k] for k in ("n_records", "n_relevant", "recall_at_10",
                               "recall_at_25", "wss95_classic", "wss95_asreview", "erf_at_10",
                               "records_to_95", "records_to_100")}
                    stopping = run["stopping"]
                results.append({"review": review, "seed": seed, "tool": tool, "priors": priors,
                                "seconds": out["seconds"], "cpu_seconds": out["cpu_seconds"],
                                **figures, "stopping": stopping,
                                "command": out["command"]})
                print(f"[{time.perf_counter() - started:7.0f}s] {review} seed {seed} {tool:8s} "
                      f"WSS@95(asreview def) {figures['wss95_asreview']:.3f} "
                      f"recall@10 {figures['recall_at_10']:.3f} {out['seconds']:.1f}s wall "
                      f"{out['cpu_seconds']:.1f}s CPU", flush=True)
                args.out.write_text(json.dumps({"asreview_version": version, "runs": results},
                                               indent=1), encoding="utf-8")
    print(f"done in {time.perf_counter() - started:.0f}s; wrote {args.out}")


if __name__ == "__main__":
    main()
