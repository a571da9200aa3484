"""Retrain + rerank time of the default ranking model on a 100k-record review (2 cores).

The 100k records are made from the nine SYNERGY reviews: each synthetic record joins a real title
to a real abstract drawn at random (seeded), so the vocabulary and text lengths are real ones.
Features are computed once (as in `litrev screen`); then, for several numbers of labelled
records, one `fit` (same records, new labels: the cached matrix is reused) and one `rank` are
timed. Nothing is ever densified.

    nice -n 10 .venv/bin/python benchmarks/screening/scale_benchmark.py --records 100000 \
        [--model default] [--labelled 100,1000,10000]

`--model embeddings` times the TF-IDF + embeddings ensemble. Its vectors are seeded random unit
vectors of the model's 384 dimensions (`--random-vectors`, needed for that model): the time of a
retrain and rerank depends on the matrix's shape, not on the vectors' values, and embedding
100k records for real would cost about 6,800 CPU s (68 per 1,000, benchmarks/RESULTS.md), once.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from litrev.screening.ranking.model import make_model

DATA = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "screening" / "synergy_v1"


def synthetic_records(n: int, seed: int = 0) -> tuple[list[dict[str, str]], np.ndarray]:
    frames = [pd.read_csv(path) for path in sorted(DATA.glob("*.csv"))]
    frame = pd.concat(frames, ignore_index=True)
    titles = frame["title"].fillna("").astype(str).to_numpy()
    abstracts = frame["abstract"].fillna("").astype(str).to_numpy()
    included = frame["label_included"].to_numpy()
    rng = np.random.default_rng(seed)
    pick_title = rng.integers(0, len(frame), n)
    pick_abstract = rng.integers(0, len(frame), n)
    records = [
        {"title": titles[t], "abstract": abstracts[a]}
        for t, a in zip(pick_title, pick_abstract, strict=True)
    ]
    return records, included[pick_title]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", default="default", help="make_model name")
    parser.add_argument("--labelled", default="100,1000,10000", help="comma-separated")
    parser.add_argument(
        "--random-vectors",
        type=int,
        default=0,
        metavar="DIMS",
        help="embedding models: seeded random unit vectors of DIMS dimensions (timing only)",
    )
    args = parser.parse_args()
    records, relevant = synthetic_records(args.records)
    model = make_model(args.model, seed=0)
    if hasattr(model, "source"):  # an embedding model: it needs vectors
        if not args.random_vectors:
            raise SystemExit(f"--model {args.model} needs --random-vectors 384 (timing only)")
        from litrev.screening.ranking.embeddings import FixedVectors

        vectors = np.random.default_rng(2).standard_normal((args.records, args.random_vectors))
        model.source = FixedVectors(vectors.astype(np.float32))
    print(f"model {args.model!r}: {model.components}")
    start = time.perf_counter()
    X = model.featurize(records)  # once per review, as `litrev screen` does on opening
    print(
        f"{args.records:,} records: features {X.shape[1]:,} columns, {X.nnz:,} non-zeros "
        f"({(X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) / 1e6:.0f} MB sparse), "
        f"built once in {time.perf_counter() - start:.1f} s"
    )
    rng = np.random.default_rng(1)
    for n_labelled in (int(n) for n in args.labelled.split(",")):
        labels: list[int | None] = [None] * args.records
        chosen = rng.choice(args.records, n_labelled, replace=False)
        for index in chosen:
            labels[index] = int(relevant[index])
        timings, cpu = [], []
        for _ in range(args.repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            model.fit(records, labels)
            order = model.rank()
            timings.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        print(
            f"  {n_labelled:>6,} labelled: retrain + rerank {min(timings):.2f} s best, "
            f"{np.median(timings):.2f} s median of {args.repeats} (CPU {np.median(cpu):.2f} s); "
            f"ranked {order.size:,}"
        )


if __name__ == "__main__":
    main()
