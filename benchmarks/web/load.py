"""Load test of the team workspace: N reviewers deciding at once over HTTP, then a count in the store.

One `litrev serve` process on loopback (the real server: uvicorn, the app, SQLite in WAL mode or
PostgreSQL) serves a fresh review of `--records` records, screened in dual mode by `--reviewers`
reviewer accounts (each with an API token, allocated their share by `litrev.screening.allocation`).
Then one `httpx.AsyncClient` per reviewer, all concurrently, sends its `--decisions`
`POST /api/r/{key}/decisions`, each with its own `Idempotency-Key`; every `--repeat-every`-th
decision is sent a second time with the same key (a double-submitted form), which must answer
200 with the first decision and write nothing. A request that fails in transport or with a 5xx
is retried with the same key (what the key is for), and counted.

Afterwards the store is read directly: every acknowledged decision must be there (zero lost), and
there must be exactly one decision row per (reviewer, record) and one idempotency key per
decision (zero duplicated).

    nice -n 10 .venv/bin/python benchmarks/web/load.py                       # SQLite
    nice -n 10 .venv/bin/python benchmarks/web/load.py --database postgresql+psycopg://u:p@127.0.0.1:5432/db
    ... --profile server.prof    # the server under cProfile (then: python -m pstats server.prof)

With a PostgreSQL URL, the run creates its own schema in that database and drops it afterwards.
Prints a summary and, with `--json FILE`, writes the figures there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
KEY = "load-test"
STAGE = "title_abstract"
PASSWORD = "load test password 1"
PROTOCOL = """
[review]
id = "load-test"
title = "Load test: community paramedicine for older people at home"
type = "scoping"
question = "What community paramedicine models exist for older people living at home?"

[eligibility]
inclusion = ["older people", "community paramedicine"]

[[eligibility.exclusion_reasons]]
code = "population"
label = "Not older people"

[[eligibility.exclusion_reasons]]
code = "setting"
label = "Not at home"

[screening]
stages = ["title_abstract", "full_text"]
reviewers = []
mode = "dual"
"""
WORDS = [
    "paramedic",
    "community",
    "older",
    "frail",
    "home",
    "visit",
    "falls",
    "referral",
    "emergency",
    "ambulance",
    "primary",
    "care",
    "nurse",
    "rural",
    "urban",
    "pilot",
    "cohort",
    "trial",
    "qualitative",
    "telephone",
    "triage",
    "chronic",
    "disease",
    "medication",
    "review",
    "hospital",
    "avoidance",
    "evaluation",
    "cost",
    "wellbeing",
]


@dataclass
class Figures:
    database: str
    reviewers: int
    decisions_per_reviewer: int
    records: int
    decisions: int = 0  # unique decisions acknowledged (2xx)
    repeats: int = 0  # repeated keys sent
    repeats_replayed: int = 0  # repeats answered 200 with the first decision
    retries: int = 0
    refused: int = 0  # 4xx on a first send (should be 0)
    wall_s: float = 0.0
    throughput_per_s: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    # decisions/s in each tenth of the run: does the store slow down as decisions pile up?
    throughput_by_tenth: list[float] = field(default_factory=list)
    # the machine's 1-minute load average, sampled during the run (other work shares the CPUs)
    load_average: list[float] = field(default_factory=list)
    lost: int = 0
    duplicated: int = 0
    unacknowledged: int = 0  # rows no 2xx answer reported (a request that failed after writing)
    rows: int = 0
    keys: int = 0
    machine: str = field(default_factory=lambda: f"{platform.machine()}, {os.cpu_count()} CPUs")
    problems: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_schema(url: str) -> tuple[str, str]:
    """A fresh schema in the database at `url`: (the URL using it, its name)."""
    from sqlalchemy import create_engine, text

    name = f"load_{uuid.uuid4().hex[:10]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {name}"))
    engine.dispose()
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{name}", name


def _drop_schema(url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
    engine.dispose()


def setup(root: Path, database: str | None, args: argparse.Namespace) -> dict[str, Any]:
    """The review, its records, the team and their allocation; returns each reviewer's token
    and records."""
    from litrev.accounts import Accounts
    from litrev.project import Project
    from litrev.screening.allocation import allocate
    from litrev.screening.decisions import Screening
    from litrev.screening.demo import add_records

    project = Project.init(root, protocol_text=PROTOCOL, database=database)
    rng = random.Random(7)
    titles = [
        (
            " ".join(rng.choice(WORDS) for _ in range(9)).capitalize(),
            " ".join(rng.choices(WORDS, k=60)),
        )
        for _ in range(args.records)
    ]
    add_records(project.store, titles)
    accounts = Accounts(project.store)
    screening = Screening.from_protocol(project.store, project.protocol)
    accounts.add_user("lead", PASSWORD, actor="load")
    accounts.grant(KEY, "lead", "lead", actor="load")
    names = [f"reviewer{n:02d}" for n in range(1, args.reviewers + 1)]
    for name in names:
        accounts.add_user(name, PASSWORD, actor="load")
        accounts.grant(KEY, name, "reviewer", actor="load")
        screening.add_reviewer(name)
    plan = allocate(screening, STAGE, names, per_record=2, by="lead", seed=1)
    team = {
        name: {
            "token": accounts.create_token(name, "load test"),
            "records": plan[name][: args.decisions],
        }
        for name in names
    }
    short = [n for n, t in team.items() if len(t["records"]) < args.decisions]
    if short:
        raise SystemExit(
            f"{len(short)} reviewers have fewer than {args.decisions} records: give more --records"
        )
    project.store.close()
    return team


def start_server(
    root: Path, database: str | None, port: int, profile: str | None
) -> subprocess.Popen[bytes]:
    litrev = str(Path(sys.executable).with_name("litrev"))
    command = [litrev, "serve", str(root), "--host", "127.0.0.1", "--port", str(port)]
    if database:
        command += ["--database", database]
    if profile:
        command = [sys.executable, "-m", "cProfile", "-o", profile, *command]
    env = {**os.environ, "LITREV_DATABASE": ""}
    return subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)


async def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=base) as client:
        while True:
            if server.poll() is not None:
                raise SystemExit(f"the server exited with {server.returncode}")
            try:
                if (await client.get("/api/me")).status_code == 401:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start within 60 s")
            await asyncio.sleep(0.2)


async def reviewer_run(
    base: str,
    name: str,
    token: str,
    records: list[int],
    args: argparse.Namespace,
    out: dict[str, Any],
) -> None:
    """One reviewer deciding their records one after the other, as a person (or script) would."""
    import httpx

    rng = random.Random(name)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
        for index, record in enumerate(records):
            choice = rng.choice(("include", "exclude", "exclude"))
            body: dict[str, Any] = {"record_id": record, "stage": STAGE, "decision": choice}
            if choice == "exclude":
                body["reason"] = rng.choice(("population", "setting"))
            key = f"{name}-{record}-{uuid.uuid4().hex[:8]}"
            status, answer = await _send(client, body, key, out)
            if status is None:
                continue
            if status != 201:
                out["refused"] += 1
                out["problems"].append(f"{name} record {record}: {status} {answer}")
                continue
            out["acked"][(name, record)] = (answer["id"], choice)
            out["done_at"].append(time.perf_counter())
            if args.repeat_every and index % args.repeat_every == args.repeat_every - 1:
                out["repeats"] += 1
                again, replay = await _send(client, body, key, out, repeat=True)
                if again == 200 and replay == answer:
                    out["replayed"] += 1
                else:
                    out["problems"].append(f"{name} repeat of record {record}: {again} {replay}")


async def _send(
    client: Any, body: dict[str, Any], key: str, out: dict[str, Any], *, repeat: bool = False
) -> tuple[int | None, Any]:
    import httpx

    url = f"/api/r/{KEY}/decisions"
    for attempt in range(6):
        started = time.perf_counter()
        try:
            response = await client.post(url, json=body, headers={"Idempotency-Key": key})
        except httpx.TransportError as error:
            out["retries"] += 1
            out["problems"].append(f"transport error ({error!r}), retrying with the same key")
            await asyncio.sleep(0.2 * (attempt + 1))
            continue
        elapsed = time.perf_counter() - started
        (out["repeat_latencies"] if repeat else out["latencies"]).append(elapsed)
        if response.status_code >= 500:
            out["retries"] += 1
            out["problems"].append(f"{response.status_code}: {response.text[:200]}")
            await asyncio.sleep(0.2 * (attempt + 1))
            continue
        return response.status_code, response.json()
    out["problems"].append(f"gave up after 6 attempts: {body}")
    return None, None


def verify(
    database_url: str, acked: dict[tuple[str, int], tuple[int, str]], figures: Figures
) -> None:
    """Zero lost, zero duplicated: read the decisions back from the store itself."""
    from sqlalchemy import func, select

    from litrev.store import Store, schema

    store = Store.open(database_url)
    table = schema.decisions
    with store.connect() as conn:
        rows = conn.execute(
            select(table.c.id, table.c.record_id, table.c.reviewer, table.c.decision).where(
                table.c.stage == STAGE
            )
        ).all()
        figures.keys = int(
            conn.execute(select(func.count()).select_from(schema.idempotency_keys)).scalar_one()
        )
    store.close()
    figures.rows = len(rows)
    by_id = {r.id: r for r in rows}
    per_pair: dict[tuple[str, int], int] = {}
    for r in rows:
        per_pair[(r.reviewer, r.record_id)] = per_pair.get((r.reviewer, r.record_id), 0) + 1
    figures.duplicated = sum(n - 1 for n in per_pair.values() if n > 1)
    for (name, record), (decision_id, choice) in acked.items():
        row = by_id.get(decision_id)
        if row is None or (row.reviewer, row.record_id, row.decision) != (name, record, choice):
            figures.lost += 1
    acked_ids = {decision_id for decision_id, _ in acked.values()}
    figures.unacknowledged = sum(1 for r in rows if r.id not in acked_ids)
    if figures.keys != len(acked):
        figures.problems.append(f"{figures.keys} idempotency keys for {len(acked)} decisions")


def _by_tenth(done_at: list[float], started: float, wall: float) -> list[float]:
    counts = [0] * 10
    for moment in done_at:
        counts[min(9, int((moment - started) / wall * 10))] += 1
    return [round(n / (wall / 10), 1) for n in counts]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index] * 1000


async def load(
    base: str, team: dict[str, Any], args: argparse.Namespace
) -> tuple[dict[str, Any], float]:
    out: dict[str, Any] = {
        "acked": {},
        "latencies": [],
        "repeat_latencies": [],
        "retries": 0,
        "refused": 0,
        "repeats": 0,
        "replayed": 0,
        "problems": [],
        "done_at": [],
    }
    started = time.perf_counter()
    out["started"] = started
    out["load"] = []
    sampler = asyncio.create_task(_sample_load(out["load"]))
    await asyncio.gather(
        *(reviewer_run(base, name, t["token"], t["records"], args, out) for name, t in team.items())
    )
    sampler.cancel()
    return out, time.perf_counter() - started


async def _sample_load(samples: list[float]) -> None:
    while True:
        samples.append(round(os.getloadavg()[0], 1))
        await asyncio.sleep(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database", help="a PostgreSQL URL (default: SQLite in a temporary folder)"
    )
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--decisions", type=int, default=500, help="per reviewer")
    parser.add_argument(
        "--records", type=int, default=None, help="default: reviewers x decisions / 2"
    )
    parser.add_argument("--repeat-every", type=int, default=50, help="resend every n-th decision")
    parser.add_argument("--profile", help="run the server under cProfile, writing this file")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    if args.records is None:
        args.records = args.reviewers * args.decisions // 2  # dual screening: two per record

    folder = Path(tempfile.mkdtemp(prefix="litrev-load-"))
    root = folder / "review"
    schema_name = None
    database = None
    if args.database:
        database, schema_name = _postgres_schema(args.database)
    kind = "PostgreSQL" if database else "SQLite (WAL)"
    figures = Figures(kind, args.reviewers, args.decisions, args.records)
    server = None
    try:
        t0 = time.perf_counter()
        team = setup(root, database, args)
        print(
            f"setup: {args.records} records, {args.reviewers} reviewers in {time.perf_counter() - t0:.1f} s"
        )
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(root, database, port, args.profile)
        asyncio.run(wait_until_up(base, server))
        out, wall = asyncio.run(load(base, team, args))
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
        server = None
        figures.decisions = len(out["acked"])
        figures.repeats, figures.repeats_replayed = out["repeats"], out["replayed"]
        figures.retries, figures.refused = out["retries"], out["refused"]
        figures.wall_s = round(wall, 2)
        figures.throughput_per_s = round(figures.decisions / wall, 1)
        latencies = out["latencies"]
        figures.p50_ms = round(_percentile(latencies, 0.50), 1)
        figures.p90_ms = round(_percentile(latencies, 0.90), 1)
        figures.p99_ms = round(_percentile(latencies, 0.99), 1)
        figures.max_ms = round(max(latencies) * 1000, 1) if latencies else 0.0
        figures.throughput_by_tenth = _by_tenth(out["done_at"], out["started"], wall)
        figures.load_average = out["load"]
        figures.problems.extend(out["problems"][:20])
        verify(database or f"sqlite:///{root / 'litrev.db'}", out["acked"], figures)
    finally:
        if server is not None:
            server.kill()
        if schema_name and args.database:
            _drop_schema(args.database, schema_name)
        shutil.rmtree(folder, ignore_errors=True)
    summary = asdict(figures)
    print(json.dumps(summary, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    expected = args.reviewers * args.decisions
    ok = figures.decisions == expected and figures.lost == 0 and figures.duplicated == 0
    ok = ok and figures.repeats_replayed == figures.repeats and figures.unacknowledged == 0
    print(
        f"{kind}: {figures.decisions}/{expected} decisions in {figures.wall_s} s = "
        f"{figures.throughput_per_s}/s, p50 {figures.p50_ms} ms, p99 {figures.p99_ms} ms; "
        f"lost {figures.lost}, duplicated {figures.duplicated}, repeats replayed "
        f"{figures.repeats_replayed}/{figures.repeats} -> {'OK' if ok else 'FAILED'}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
