"""Many processes writing one review at once: 8 screening, 4 importing, on SQLite and PostgreSQL.

Each process calls the same functions as the CLI (`open_screening` + `decide`, `import_files`).
No process may fail with anything but a refusal it should get, and no record or decision may be
lost or doubled. Before the fix, imports allocated record ids before SQLite gave them the write
lock, so two imports took the same ids (IntegrityError traceback).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import traceback
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import litrev.cli.screening
import litrev.dedupe.persist
import litrev.records.importer
from litrev.project import Project
from litrev.records import import_files
from litrev.store import schema

# Imported here, before the workers fork, so that each of them does not spend seconds importing
# the screening and deduplication modules on a 2-core machine.
_PRELOADED = (litrev.cli.screening, litrev.dedupe.persist)

POSTGRES_URL = os.environ.get("LITREV_TEST_POSTGRES_URL")
DECIDERS, IMPORTERS, FILES_EACH, PER_FILE, BASE = 8, 4, 2, 20, 20
REVIEWERS = [f"screener-{i}" for i in range(DECIDERS)]
PROTOCOL = f"""
[review]
id = "concurrency"
title = "Concurrency"
type = "scoping"

[screening]
mode = "single"
reviewers = {REVIEWERS!r}
"""


def _ris(prefix: str, n: int, database: str) -> str:
    return "".join(
        f"TY  - JOUR\nTI  - {prefix} study {k} of home care\nAU  - Author, {prefix}{k}\n"
        f"PY  - 2020\nAN  - {prefix}-{k}\nDB  - {database}\nER  - \n\n"
        for k in range(n)
    )


def _decider(root: str, index: int, start: Any, errors: Any) -> None:
    try:
        start.wait(30)
        screening, project = litrev.cli.screening.open_screening(Path(root))
        for record_id in range(1, BASE + 1):
            decision = "include" if (record_id + index) % 3 else "exclude"
            screening.decide(
                record_id,
                reviewer=REVIEWERS[index],
                stage="title_abstract",
                decision=decision,
                reason="off topic" if decision == "exclude" else None,
            )
        project.store.close()
    except BaseException:
        errors.put(f"decider {index}: {traceback.format_exc()}")


def _importer(root: str, index: int, start: Any, errors: Any, outcomes: Any) -> None:
    try:
        from litrev.errors import InputError

        start.wait(30)
        project = Project.open(Path(root))
        for f in range(FILES_EACH):
            path = Path(root) / f"import-{index}-{f}.ris"
            import_files(project.store, [path], actor=f"importer-{index}")
        try:
            import_files(project.store, [Path(root) / "shared.ris"], actor=f"importer-{index}")
            outcomes.put("imported")
        except InputError as refused:  # the other importers got there first: a refusal
            outcomes.put(f"refused: {refused}")
        project.store.close()
    except BaseException:
        errors.put(f"importer {index}: {traceback.format_exc()}")


def _drain(queue: Any) -> list[str]:
    items = []
    while not queue.empty():
        items.append(queue.get())
    return items


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def review(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "review"
    if request.param == "sqlite":
        return _prepared(Project.init(root, protocol_text=PROTOCOL), root)
    url = request.getfixturevalue("postgres_schemas")()
    monkeypatch.setenv("LITREV_DATABASE", url)  # the team-server setting every process then uses
    return _prepared(Project.init(root, protocol_text=PROTOCOL, database=url), root)


def _prepared(project: Project, root: Path) -> Path:
    (root / "base.ris").write_text(_ris("base", BASE, "Scopus"))
    import_files(project.store, [root / "base.ris"], actor="setup")
    for i in range(IMPORTERS):
        for f in range(FILES_EACH):
            (root / f"import-{i}-{f}.ris").write_text(_ris(f"imp{i}x{f}", PER_FILE, f"DB {i}"))
    (root / "shared.ris").write_text(_ris("shared", PER_FILE, "ERIC"))
    project.store.close()
    return root


@pytest.mark.slow
def test_deciding_and_importing_at_once_loses_and_doubles_nothing(review: Path) -> None:
    context = mp.get_context("fork")  # children open their own database connections
    start, errors, outcomes = context.Event(), context.Queue(), context.Queue()
    processes = [
        context.Process(target=_decider, args=(str(review), i, start, errors))
        for i in range(DECIDERS)
    ] + [
        context.Process(target=_importer, args=(str(review), i, start, errors, outcomes))
        for i in range(IMPORTERS)
    ]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(240)
    assert [p.exitcode for p in processes] == [0] * len(processes)
    problems = _drain(errors)
    assert problems == [], "\n".join(problems)
    results = sorted(_drain(outcomes))
    assert results[0] == "imported" and len(results) == IMPORTERS
    assert all("already imported" in r for r in results[1:]), results

    project = Project.open(review)
    with project.store.connect() as conn:

        def count(table: Any, *where: Any) -> int:
            return int(
                conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
            )

        expected_records = BASE + IMPORTERS * FILES_EACH * PER_FILE + PER_FILE
        assert count(schema.records) == expected_records
        assert count(schema.record_provenance) == expected_records
        assert count(schema.record_imports) == 1 + IMPORTERS * FILES_EACH + 1
        titles = conn.execute(select(schema.records.c.title)).scalars().all()
        assert len(set(titles)) == expected_records  # none doubled
        decisions = conn.execute(
            select(schema.decisions.c.record_id, schema.decisions.c.reviewer)
        ).all()
        assert len(decisions) == DECIDERS * BASE
        assert len(set(decisions)) == DECIDERS * BASE
        assert sorted(conn.execute(select(schema.screening_reviewers.c.name)).scalars()) == sorted(
            REVIEWERS
        )
        audit = schema.audit_log
        assert count(audit, audit.c.action == "import") == 1 + IMPORTERS * FILES_EACH + 1
        assert count(audit, audit.c.action == "screening.decide") == DECIDERS * BASE
        # Each reviewer registered once, though all eight decided their first record at once.
        assert count(audit, audit.c.action == "screening.add_reviewer") == DECIDERS
    project.store.close()
