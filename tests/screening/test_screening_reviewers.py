"""Reviewers: only declared or registered names may decide or resolve (a typo is refused with the
nearest name), `litrev reviewer add|list`, and first registrations that run at the same moment."""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import threading
import time
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select

from litrev.cli import app
from litrev.errors import InputError
from litrev.project import Project
from litrev.screening import Screening, ScreeningError
from litrev.screening.demo import add_records
from litrev.screening.log import register_reviewer
from litrev.store import Store, schema

cli = typer.main.get_command(app)

PROTOCOL = """
[review]
id = "falls-prevention"
title = "Exercise to prevent falls in care homes"

[[eligibility.exclusion_reasons]]
code = "wrong-setting"
label = "Not a care home"
stages = ["title_abstract"]

[[eligibility.exclusion_reasons]]
code = "no-outcome"
label = "No falls outcome"
stages = ["full_text"]

[screening]
reviewers = ["Ingrid Solberg", "Tomás Ruiz"]
"""


def _run(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cli.main(list(args), prog_name="litrev", standalone_mode=False)
    return out.getvalue()


def _project(tmp_path: Path, protocol: str = PROTOCOL, n: int = 4) -> Path:
    root = tmp_path / "falls"
    project = Project.init(root, protocol_text=protocol)
    add_records(project.store, n)
    project.store.close()
    return root


def _count(root: Path, table: object) -> int:
    store = Project.open(root).store
    with store.connect() as conn:
        n = conn.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[arg-type]
    store.close()
    return int(n)


def _csv(path: Path, *rows: str) -> Path:
    path.write_text("record_id,reviewer,stage,decision,reason\n" + "".join(rows), encoding="utf-8")
    return path


def test_decide_refuses_a_misspelt_reviewer_naming_the_nearest(tmp_path: Path) -> None:
    root = _project(tmp_path)
    bad = _csv(
        tmp_path / "d.csv",
        "1,Ingrid Solberg,ta,include,\n",
        "2,Ingrid Solbreg,ta,include,\n",  # the typo
    )
    with pytest.raises(
        InputError, match=r"d\.csv:3: field 'reviewer'.*did you mean 'Ingrid Solberg'"
    ):
        _run("decide", str(bad), "-p", str(root))
    assert _count(root, schema.decisions) == 0
    assert _count(root, schema.screening_reviewers) == 0


def test_conflicts_by_refuses_an_unknown_resolver_until_added(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _run(
        "decide",
        str(
            _csv(
                tmp_path / "d.csv",
                "1,Ingrid Solberg,ta,include,\n",
                "1,Tomás Ruiz,ta,exclude,wrong-setting\n",
            )
        ),
        "-p",
        str(root),
    )
    resolve = ("conflicts", "-p", str(root), "--resolve", "1", "--decision", "include")
    with pytest.raises(ScreeningError, match="did you mean 'Tomás Ruiz'"):
        _run(*resolve, "--by", "Tomas Ruiz")
    with pytest.raises(ScreeningError, match="reviewer add Kwame Mensah"):
        _run(*resolve, "--by", "Kwame Mensah")
    assert "Registered reviewer 'Kwame Mensah' as resolver" in _run(
        "reviewer", "add", "Kwame Mensah", "--role", "resolver", "-p", str(root)
    )
    assert "third_reviewer" in _run(*resolve, "--by", "Kwame Mensah")


def test_screen_refuses_an_unknown_reviewer_in_resolve_mode_too(tmp_path: Path) -> None:
    root = _project(tmp_path)
    with pytest.raises(ScreeningError, match="not one of this review's reviewers"):
        _run("screen", "-p", str(root), "--reviewer", "ingrid", "--resolve")


def test_a_review_without_reviewers_says_how_to_add_them(tmp_path: Path) -> None:
    bare = PROTOCOL.split("[screening]")[0]
    root = _project(tmp_path, bare)
    path = _csv(tmp_path / "d.csv", "1,ann,ta,include,\n")
    with pytest.raises(InputError, match=r"no reviewers yet.*litrev reviewer add ann"):
        _run("decide", str(path), "-p", str(root))
    _run("reviewer", "add", "ann", "-p", str(root))
    assert "Recorded 1 decision" in _run("decide", str(path), "-p", str(root))


def test_reviewer_list_shows_declared_and_registered(tmp_path: Path) -> None:
    root = _project(tmp_path)
    out = " ".join(_run("reviewer", "add", "Ingrid Solbergg", "-p", str(root)).split())
    assert "close to the existing reviewer 'Ingrid Solberg'" in out
    assert "already registered" in _run("reviewer", "add", "Ingrid Solbergg", "-p", str(root))
    listed = json.loads(_run("reviewer", "list", "-p", str(root), "--json"))
    assert [(r["name"], r["declared_in"]) for r in listed] == [
        ("Ingrid Solberg", ["litrev.toml"]),
        ("Ingrid Solbergg", ["registered"]),
        ("Tomás Ruiz", ["litrev.toml"]),
    ]
    table = _run("reviewer", "list", "-p", str(root))
    assert "3 reviewer(s)" in table and "None" not in table


def test_decisions_file_reports_every_bad_row_at_once(tmp_path: Path) -> None:
    root = _project(tmp_path, n=3)
    path = _csv(
        tmp_path / "d.csv",
        "1,Ingrid Solberg,ta,include,\n",  # line 2: fine
        "x,Ingrid Solberg,ta,include,\n",  # 3: record_id
        "2,Ingrid Solberg,ta,exclude,no-outcome\n",  # 4: full-text reason at title/abstract
        "2,Tomás Ruiz,screening,include,\n",  # 5: stage
        "3,Tomas,ta,include,\n",  # 6: reviewer
        "9,Tomás Ruiz,ta,include,\n",  # 7: no such record
        "1,Ingrid Solberg,ta,exclude,wrong-setting\n",  # 8: contradicts line 2
    )
    with pytest.raises(InputError) as caught:
        _run("decide", str(path), "-p", str(root))
    message = str(caught.value)
    assert "6 bad rows; nothing recorded" in message
    for line in (3, 4, 5, 6, 7, 8):
        assert f"d.csv:{line}: " in message
    assert "reason 'no-outcome' is for full_text only; at title_abstract use one of" in message
    assert "conflicts with line 2" in message and "include there" in message
    assert _count(root, schema.decisions) == 0


def test_repeated_and_conflicting_rows_name_both_lines(tmp_path: Path) -> None:
    root = _project(tmp_path)
    repeated = _csv(tmp_path / "r.csv", "1,Tomás Ruiz,ta,include,\n", "1,Tomás Ruiz,ta,include,\n")
    with pytest.raises(InputError, match=r"r\.csv:3: field 'record_id': repeats line 2"):
        _run("decide", str(repeated), "-p", str(root))
    # A different stage spelling is the same stage: still one decision per reviewer and record.
    clash = _csv(
        tmp_path / "c.csv", "1,Tomás Ruiz,ta,include,\n", "1,Tomás Ruiz,title_abstract,exclude,1\n"
    )
    with pytest.raises(InputError, match=r"c\.csv:3: field 'decision': conflicts with line 2"):
        _run("decide", str(clash), "-p", str(root))
    assert _count(root, schema.decisions) == 0


def test_more_than_fifty_bad_rows_are_counted(tmp_path: Path) -> None:
    root = _project(tmp_path)
    rows = [f"{1000 + i},Tomás Ruiz,ta,include,\n" for i in range(60)]
    with pytest.raises(InputError) as caught:
        _run("decide", str(_csv(tmp_path / "d.csv", *rows)), "-p", str(root))
    message = str(caught.value)
    assert "60 bad rows" in message and "... and 10 more" in message
    assert message.count("no such record") == 50


def test_malformed_and_refused_rows_are_reported_together(tmp_path: Path) -> None:
    root = _project(tmp_path)
    path = _csv(
        tmp_path / "d.csv", "1,Tomás Ruiz,ta\n", "2,Tomás Ruiz,ta,include,\n", "3,Tom,ta,include,\n"
    )
    with pytest.raises(InputError) as caught:
        _run("decide", str(path), "-p", str(root))
    message = str(caught.value)
    assert "d.csv:2: 3 fields, expected 5" in message and "d.csv:4: field 'reviewer'" in message
    assert _count(root, schema.decisions) == 0


def test_status_prints_tables_not_python_values(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _run("decide", str(_csv(tmp_path / "d.csv", "1,Tomás Ruiz,ta,exclude,1\n")), "-p", str(root))
    out = _run("screening", "status", "-p", str(root))
    assert "Screening progress" in out and "PRISMA screening counts" in out
    assert "wrong-setting 1" in out and "not reported" in out
    for python in ("None", "{}", "{'"):
        assert python not in out


# ----- first registrations at the same moment -----


def _hold_uncommitted_registration(
    store: Store, name: str, started: threading.Event, release: threading.Event
) -> None:
    """Another writer registers `name` and keeps its transaction open until `release`."""
    with store.transaction() as conn:
        register_reviewer(conn, name, "reviewer")
        started.set()
        release.wait(10)


def _race(store: Store) -> list[BaseException]:
    errors: list[BaseException] = []
    started, release = threading.Event(), threading.Event()

    def first() -> None:
        try:
            _hold_uncommitted_registration(store, "Kwame Mensah", started, release)
        except BaseException as error:
            errors.append(error)

    def second() -> None:
        try:
            Screening(store).add_reviewer("Kwame Mensah")
        except BaseException as error:
            errors.append(error)

    one = threading.Thread(target=first)
    one.start()
    assert started.wait(10)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(0.3)  # the second registration is now waiting on the first
    release.set()
    one.join(20)
    two.join(20)
    return errors


def _registrations(store: Store) -> tuple[int, int]:
    with store.connect() as conn:
        names = conn.execute(select(func.count()).select_from(schema.screening_reviewers))
        audit = conn.execute(
            select(func.count())
            .select_from(schema.audit_log)
            .where(schema.audit_log.c.action == "screening.add_reviewer")
        )
        return int(names.scalar_one()), int(audit.scalar_one())


def test_concurrent_first_registration_on_sqlite(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "litrev.db")
    assert _race(store) == []
    assert _registrations(store) == (1, 1)


def _decide_as_new_reviewer(path: str, record_id: int, barrier: object) -> str:
    store = Store.open(path)
    screening = Screening(store, reviewers=["Kwame Mensah"])  # declared, not yet registered
    barrier.wait()  # type: ignore[attr-defined]
    try:
        screening.decide(record_id, reviewer="Kwame Mensah", stage="ta", decision="include")
    except Exception as error:  # reported to the parent, which fails the test with it
        return f"{type(error).__name__}: {error}"
    finally:
        store.close()
    return "ok"


def test_processes_deciding_as_a_new_reviewer_at_once(tmp_path: Path) -> None:
    path = str(tmp_path / "litrev.db")
    store = Store.open(path)
    add_records(store, 4)
    context = multiprocessing.get_context("fork")
    with context.Manager() as manager:
        barrier = manager.Barrier(4)
        with context.Pool(4) as pool:
            results = pool.starmap(
                _decide_as_new_reviewer, [(path, r, barrier) for r in range(1, 5)]
            )
    assert results == ["ok"] * 4
    assert _registrations(store) == (1, 1)
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.decisions)).scalar_one() == 4


@pytest.fixture
def pg_store(postgres_store: Store) -> Store:
    return postgres_store


@pytest.mark.postgres
def test_concurrent_first_registration_on_postgres(pg_store: Store) -> None:
    assert _race(pg_store) == []
    assert _registrations(pg_store) == (1, 1)
