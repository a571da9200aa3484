"""Benchmark: a strategy compiled to SQLite FTS5 against the pure-Python evaluator.

Generates N synthetic records (seeded; health and co-production vocabulary) into a fresh
review store, builds the FTS5 index, runs the built-in review's strategy (Scopus form,
title/abstract, AND NOT, English limit) and a proximity/wildcard strategy both ways, checks
the hit sets are identical and writes the figures as JSON.

    nice -n 10 .venv/bin/python benchmarks/search/bench_search.py --records 1000000 \
        --python-records 1000000 --out benchmarks/search/results-1m.json

`--python-records` runs the Python evaluator on the first K records only (ids 1..K) and
compares it with the FTS5 hits among those K records.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from litrev.search.ast import TI_AB, And, Fielded, Limit, Near, Not, Or, Phrase, Query, Term
from litrev.search.compile import ensure_index, search_store, store_records
from litrev.search.evaluate import Matcher
from litrev.store import Store, schema

SEED = 20190318
COMMON = [
    "the",
    "of",
    "and",
    "in",
    "to",
    "a",
    "for",
    "with",
    "on",
    "by",
    "patients",
    "care",
    "health",
    "services",
    "study",
    "we",
    "this",
    "was",
    "were",
    "results",
    "methods",
    "data",
    "from",
    "that",
    "is",
    "are",
    "participants",
    "outcomes",
    "qualitative",
    "interviews",
    "analysis",
    "review",
    "evidence",
    "clinical",
    "community",
    "primary",
    "hospital",
    "staff",
    "people",
    "support",
    "quality",
    "improvement",
    "implementation",
    "intervention",
    "research",
    "practice",
    "nurses",
    "mental",
    "older",
    "adults",
    "family",
    "carers",
    "social",
    "policy",
    "service",
    "users",
    "public",
    "sector",
    "delivery",
    "model",
    "framework",
    "approach",
    "experience",
    "engagement",
    "involvement",
    "partnership",
    "patient",
    "professionals",
    "findings",
    "trial",
    "randomised",
    "cohort",
    "survey",
    "themes",
    "barriers",
    "facilitators",
    "outcomes",
    "cost",
    "effectiveness",
    "design",
    "development",
    "evaluation",
    "programme",
    "local",
    "government",
    "organisations",
    "management",
    "learning",
    "training",
    "children",
    "young",
    "workforce",
    "integrated",
    "digital",
    "technology",
    "online",
    "wellbeing",
]
COPRODUCTION = [
    "co-production", "coproduction", "co production", "co-produced", "co-producing",
    "co-design", "codesign", "co-designed", "co-designing", "codesigned", "co-creation",
    "participatory", "user involvement", "public services", "public service", "public sector",
]  # fmt: skip
EXCLUSION = ["engineering", "biomass", "chemical", "bioproducts", "osmosis", "microalgae",
             "ecosystems", "hydrogen", "brand", "algebra", "women", "woman"]  # fmt: skip
TITLE_TEMPLATES = [
    "{a} of {b} in {c}: a {d}",
    "{a} and {b}: {c} {d}",
    "Towards {a} in {b} {c}",
    "{a} with {b} for {c} {d}: lessons from {e}",
]
LANGUAGES = ["English"] * 17 + ["French", "German", "Spanish"]


def synthetic_record(rng: random.Random) -> tuple[str, str, list[str], int, str]:
    # About 3% of records are about co-production, 5% use excluded (engineering) vocabulary.
    co_rate = 0.05 if rng.random() < 0.03 else 0.0003
    ex_rate = co_rate + (0.02 if rng.random() < 0.05 else 0.0003)

    def pick() -> str:
        r = rng.random()
        if r < co_rate:
            return rng.choice(COPRODUCTION)
        if r < ex_rate:
            return rng.choice(EXCLUSION)
        return rng.choice(COMMON)

    slots = {k: pick() for k in "abcde"}
    title = rng.choice(TITLE_TEMPLATES).format(**slots)
    title = title[0].upper() + title[1:]
    sentences = []
    for _ in range(rng.randint(4, 9)):
        words = [pick() for _ in range(rng.randint(8, 20))]
        sentences.append(" ".join(words).capitalize() + ".")
    authors = [f"{rng.choice(['Smith', 'Batalden', 'Osborne', 'Brandsen', 'Ostrom'])}, "
               f"{rng.choice('ABCDEFGHJK')}" for _ in range(rng.randint(1, 4))]  # fmt: skip
    return title, " ".join(sentences), authors, rng.randint(1990, 2019), rng.choice(LANGUAGES)


def build_store(path: Path, n: int) -> float:
    started = time.perf_counter()
    store = Store.open(path)
    rng = random.Random(SEED)
    now = datetime.now(UTC)
    batch = []
    with store.transaction() as conn:
        for i in range(n):
            title, abstract, authors, year, language = synthetic_record(rng)
            batch.append({"title": title, "abstract": abstract, "authors": authors, "year": year,
                          "journal": "Health Expectations", "fields": {"language": language},
                          "created_at": now})  # fmt: skip
            if len(batch) == 10000 or i == n - 1:
                conn.execute(schema.records.insert(), batch)
                batch = []
    store.close()
    return time.perf_counter() - started


def seed_strategy() -> Query:
    """The built-in review's Scopus strategy (Supplementary file 1), as a tree."""
    pos = Or(tuple(Term(t) for t in ["co-produc*", "coproduc*", "co-design*", "codesign*"]))
    ctx = Or((Term("health"), Term("social"), Phrase(("public", "service*")),
              Phrase(("public", "sector*"))))  # fmt: skip
    neg = Or(tuple(Term(t) for t in ["engineer*", "biomass", "chemic*", "bioproduct*", "osmosis",
                                     "microalgae", "ecosystems", "hydrogen", "brand", "algebra"]))  # fmt: skip
    return Query(Fielded(Not(And((pos, ctx)), neg), TI_AB), (Limit("language", "English"),))


def proximity_strategy() -> Query:
    """Proximity, an inner wildcard and a bounded truncation: FTS5 plus a Python check."""
    near = Near((Or((Term("co-produc*"), Term("codesign*"))), Term("service*")), 3)
    return Query(Fielded(Or((near, And((Term("wom?n"), Term("care*", max_extra=3))))), TI_AB))


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "free": mem, "python": sys.version.split()[0],
            "platform": platform.platform()}  # fmt: skip


def _count(db: Path) -> int:
    if not db.exists():
        return -1
    store = Store.open(db)
    with store.connect() as conn:
        n = conn.execute(select(func.count()).select_from(schema.records)).scalar_one()
    store.close()
    return int(n)


def run(
    n: int, python_n: int, workdir: Path, reuse: bool = False, keep_index: bool = False
) -> dict[str, object]:
    db = workdir / "bench.db"
    out: dict[str, object] = {"records": n, "python_records": python_n, "seed": SEED}
    if reuse and _count(db) == n:
        print(f"reusing {db} ({n} records generated with seed {SEED})", flush=True)
    else:
        if db.exists():
            db.unlink()
        out["generate_seconds"] = round(build_store(db, n), 2)
        print(f"generated {n} records in {out['generate_seconds']} s", flush=True)
    store = Store.open(db)
    cpu = time.process_time()
    info = ensure_index(store, "split", rebuild=not keep_index)
    if info.rebuilt:
        out["index_build_seconds"] = round(info.seconds, 2)
        out["index_build_cpu_seconds"] = round(time.process_time() - cpu, 2)
        print(f"FTS5 index built in {info.seconds:.1f} s (CPU {out['index_build_cpu_seconds']} s)",
              flush=True)  # fmt: skip
    results = []
    for name, query in [("seed (scopus)", seed_strategy()), ("proximity", proximity_strategy())]:
        matcher = Matcher(query, "scopus")
        started, cpu = time.perf_counter(), time.process_time()
        fts = search_store(store, query, "scopus")
        fts_s, fts_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        with store.connect() as conn:
            sample = (
                store_records(conn, range(1, python_n + 1)) if python_n < n else store_records(conn)
            )
            python_hits = [rid for rid, rec in sample if matcher.matches(rec)]
        py_s, py_cpu = time.perf_counter() - started, time.process_time() - cpu
        fts_in_sample = [rid for rid in fts if rid <= python_n]
        row = {
            "strategy": name,
            "fts_hits": len(fts),
            "fts_query_seconds": round(fts_s, 3),
            "fts_query_cpu_seconds": round(fts_cpu, 3),
            "python_hits_in_sample": len(python_hits),
            "python_seconds_sample": round(py_s, 2),
            "python_cpu_seconds_sample": round(py_cpu, 2),
            "identical_in_sample": python_hits == fts_in_sample,
            "python_cpu_seconds_extrapolated_to_n": round(py_cpu * n / python_n, 1),
            "speed_ratio_cpu": round(py_cpu * n / python_n / fts_cpu, 1),
            "speed_ratio_wall": round(py_s * n / python_n / fts_s, 1),
        }
        print(json.dumps(row), flush=True)
        results.append(row)
    out["strategies"] = results
    out["machine"] = machine()
    store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--python-records", type=int, default=None)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--reuse", action="store_true", help="Reuse a generated store in --workdir."
    )
    parser.add_argument("--keep-index", action="store_true", help="Do not rebuild a current index.")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="litrev-search-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    result = run(
        args.records, args.python_records or args.records, workdir, args.reuse, args.keep_index
    )
    result["command"] = " ".join(sys.argv)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
