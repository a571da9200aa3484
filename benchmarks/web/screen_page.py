"""How fast the screening page answers on a big review: one reviewer deciding by htmx posts.

Builds a fresh review of `--records` records (random titles and abstracts over a small
vocabulary, imported from a RIS file like any export), one reviewer, and the workspace app; then
times, in-process (`fastapi.testclient`, no network), the first screening page (it builds the
reviewer's ranking queue), `--decisions` decide posts each answered with the next record's
fragment (the ranking retrains after every decision), and a record page.

    nice -n 10 .venv/bin/python benchmarks/web/screen_page.py --records 2000 --decisions 40
    ... --database postgresql+psycopg://u:p@127.0.0.1:5432/db   # an EMPTY database: it is written to
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

PROTOCOL = '''
[review]
id = "bench"
title = "Screening page benchmark"

[search]
canonical = """(walking OR exercise) AND (falls OR fracture*)"""

[eligibility]
inclusion = ["older adults", "exercise programme"]

[[eligibility.exclusion_reasons]]
code = "population"
label = "Not older adults"

[screening]
mode = "dual"
highlight_include = ["older", "fall*"]
highlight_exclude = ["rats", "protocol"]
'''

WORDS = [
    "older",
    "adults",
    "walking",
    "exercise",
    "falls",
    "fracture",
    "home",
    "care",
    "trial",
    "balance",
    "strength",
    "rats",
    "protocol",
    "community",
    "hospital",
    "cost",
    "nurse",
    "training",
    "vision",
    "hip",
    "wrist",
    "group",
]


def ris(n: int, seed: int) -> str:
    rng = random.Random(seed)
    out = []
    for i in range(1, n + 1):
        title = " ".join(rng.choices(WORDS, k=10)).capitalize()
        abstract = " ".join(rng.choices(WORDS, k=180))
        out.append(
            f"TY  - JOUR\nTI  - {title}\nAU  - Writer{i}, A.\nPY  - {2000 + i % 25}\n"
            f"JO  - Journal {i % 7}\nAB  - {abstract}\nKW  - exercise\nER  - \n"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--decisions", type=int, default=40)
    parser.add_argument("--database", default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from litrev.project import Project
    from litrev.records.importer import import_files
    from litrev.web import Workspace, create_app

    root = Path(tempfile.mkdtemp()) / "bench"
    project = Project.init(root, protocol_text=PROTOCOL, database=args.database)
    export = root / "export.ris"
    export.write_text(ris(args.records, args.seed), encoding="utf-8")
    import_files(project.store, [export], source="Bench")
    project.store.close()
    workspace = Workspace.open([root], databases=[args.database] if args.database else ())
    password = "benchmark password"
    workspace.accounts.add_user("ann", password, actor="bench")
    workspace.accounts.grant("bench", "ann", "reviewer", actor="bench")
    workspace.reviews["bench"].screening.add_reviewer("ann")
    client = TestClient(create_app(workspace), base_url="http://testserver")
    client.post(
        "/login",
        data={"username": "ann", "password": password},
        headers={"origin": "http://testserver"},
    )
    started = time.perf_counter()
    page = client.get("/r/bench/screen")
    first = time.perf_counter() - started
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    rng = random.Random(args.seed)
    times = []
    for _ in range(args.decisions):
        rid = re.search(r'data-record-id="(\d+)"', page.text).group(1)  # type: ignore[union-attr]
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        choice = rng.choice(
            [{"decision": "include"}, {"reason": "population"}, {"decision": "maybe"}]
        )
        form = {"record_id": rid, "stage": "title_abstract", "idempotency_key": key, **choice}
        started = time.perf_counter()
        page = client.post("/r/bench/screen/decide", data=form, headers=headers)
        times.append(time.perf_counter() - started)
        assert page.status_code == 200 and "decide-error" not in page.text, page.text[:400]
    started = time.perf_counter()
    client.get("/r/bench/records/5")
    record = time.perf_counter() - started
    times.sort()
    print(
        f"{args.records} records, {'PostgreSQL' if args.database else 'SQLite'}: first screening page "
        f"{first:.2f} s (builds the queue, imports the ranking model); decide + next record "
        f"n={len(times)} p50 {statistics.median(times) * 1000:.0f} ms, "
        f"p90 {times[int(0.9 * len(times))] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms; "
        f"record page {record * 1000:.0f} ms"
    )
    workspace.close()


if __name__ == "__main__":
    main()
