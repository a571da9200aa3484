"""Where each record of a review stands: litrev's id, databases, duplicate cluster, and the
outcome at every screening stage, for `litrev records list|show` and for exports.

Statuses: a record is `duplicate` when deduplication found it to duplicate an earlier record
(the earlier one is screened in its place), `excluded` when a stage excluded it (agreed or
resolved), `included` when the last screening stage included it, and `pending` otherwise.
At one stage (`status_at`), a record that never reaches it (excluded before, or a duplicate
at full text) has no status there; `select_states` with a stage leaves duplicates out unless
asked for them (`status="duplicate"`).

>>> from litrev.store import Store
>>> from litrev.screening.demo import add_records
>>> from litrev.screening.decisions import Screening, StageSettings
>>> store = Store.open("sqlite://")
>>> _ = add_records(store, 3)
>>> screening = Screening(store, defaults=StageSettings(blind=False, reviewers_required=1))
>>> _ = screening.decide(2, reviewer="ann", stage="title_abstract", decision="exclude")
>>> states = record_states(screening)
>>> [(s.id, s.status, s.stage("title_abstract").outcome) for s in states.values()]
[(1, 'pending', 'unscreened'), (2, 'excluded', 'exclude'), (3, 'pending', 'unscreened')]
>>> [s.id for s in select_states(states, status="pending")]
[1, 3]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from litrev.errors import LitrevError
from litrev.store import schema

if TYPE_CHECKING:
    from litrev.screening.decisions import Screening

STATUSES = ("included", "excluded", "pending", "duplicate")
STAGE_NAMES = ("title_abstract", "full_text")


@dataclass(frozen=True)
class StageState:
    """A record's outcome at one stage: include/exclude once agreed or resolved, else
    conflict, awaiting (fewer reviewers than required), unscreened, or "" (not at this stage)."""

    stage: str
    outcome: str
    reason: str | None = None

    @property
    def final(self) -> bool:
        return self.outcome in ("include", "exclude")


@dataclass
class RecordState:
    """One record's place in the review (see the module docstring)."""

    id: int
    databases: tuple[str, ...]
    cluster: int  # the record screened for its duplicate cluster (its own id when alone)
    status: str
    stages: tuple[StageState, ...] = ()
    title: str | None = None
    year: int | None = None
    first_author: str | None = None
    source_id: str | None = None  # the database's own id (AN, PMID, EID ...)
    doi: str | None = None

    @property
    def duplicate_of(self) -> int | None:
        return self.cluster if self.cluster != self.id else None

    def stage(self, name: str) -> StageState:
        for state in self.stages:
            if state.stage == name:
                return state
        return StageState(name, "")

    def status_at(self, stage: str | None) -> str | None:
        """The status at one stage (None: the record does not reach it); overall without one."""
        if stage is None or self.status == "duplicate":
            return self.status
        state = self.stage(stage)
        if state.outcome == "":
            return None
        if state.final:
            return "included" if state.outcome == "include" else "excluded"
        return "pending"

    @property
    def included(self) -> int | None:
        """ASReview's label: 1 included at the last stage, 0 excluded, None pending."""
        return {"included": 1, "excluded": 0}.get(self.status)

    def as_dict(self) -> dict[str, Any]:
        """The state as plain values (for CSV/JSON output and export columns)."""
        out: dict[str, Any] = {
            "litrev_id": self.id,
            "status": self.status,
            "databases": list(self.databases),
            "cluster": self.cluster,
            "duplicate_of": self.duplicate_of,
        }
        for state in self.stages:
            out[state.stage] = state.outcome
            out[f"{state.stage}_reason"] = state.reason
        out |= {
            "source_id": self.source_id,
            "year": self.year,
            "first_author": self.first_author,
            "title": self.title,
            "doi": self.doi,
        }
        return out


def _stage_names(stages: Iterable[Any] | None) -> tuple[str, ...]:
    from litrev.screening.model import parse_stage

    names = tuple(parse_stage(str(s)).value for s in (stages or STAGE_NAMES))
    return names or STAGE_NAMES


def record_states(
    screening: Screening,
    stages: Iterable[Any] | None = None,
    *,
    record_ids: Sequence[int] | None = None,
) -> dict[int, RecordState]:
    """{litrev id: RecordState} for every record (or `record_ids`), ordered by id.

    `stages` are the review's screening stages in order (the protocol's; both by default): the
    last one decides `included`. Reads each stage's decisions once.
    """
    from litrev.screening.model import State

    names = _stage_names(stages)
    store = screening.store
    records, prov = schema.records, schema.record_provenance
    query = select(
        records.c.id, records.c.title, records.c.year, records.c.doi, records.c.authors
    ).order_by(records.c.id)
    prov_query = select(prov.c.record_id, prov.c.source_db).order_by(prov.c.id)
    source_ids = select(records.c.id, records.c.fields[("typed", "record_id")].as_string())
    if record_ids is not None:
        wanted = sorted(set(record_ids))
        query = query.where(records.c.id.in_(wanted))
        prov_query = prov_query.where(prov.c.record_id.in_(wanted))
        source_ids = source_ids.where(records.c.id.in_(wanted))
    with store.connect() as conn:
        rows = conn.execute(query).all()
        databases: dict[int, dict[str, None]] = {}
        for record_id, source_db in conn.execute(prov_query):
            databases.setdefault(record_id, {})[source_db or "unspecified"] = None
        own_ids = {int(i): s for i, s in conn.execute(source_ids)}
        stand_in = screening.duplicates(conn)
        outcomes = {name: screening.outcomes(name, conn) for name in names}
        eligible = {name: set(screening.eligible_records(name, conn)) for name in names}
    out: dict[int, RecordState] = {}
    for row in rows:
        record_id = int(row.id)
        duplicate = record_id in stand_in
        stage_states = []
        for name in names:
            found = outcomes[name].get(record_id)
            if duplicate or record_id not in eligible[name]:
                outcome = ""
                if found is not None and found.final:  # decided before it stopped counting
                    outcome = found.decision or ""
                stage_states.append(StageState(name, outcome, found.reason if found else None))
            elif found is None or found.state is State.UNSCREENED:
                stage_states.append(StageState(name, "unscreened"))
            elif found.final:
                stage_states.append(StageState(name, found.decision or "", found.reason))
            else:
                stage_states.append(StageState(name, found.state.value))
        status = "pending"
        if duplicate:
            status = "duplicate"
        elif any(s.outcome == "exclude" for s in stage_states):
            status = "excluded"
        elif stage_states and stage_states[-1].outcome == "include":
            status = "included"
        authors = list(row.authors or [])
        out[record_id] = RecordState(
            id=record_id,
            databases=tuple(databases.get(record_id, {})),
            cluster=stand_in.get(record_id, record_id),
            status=status,
            stages=tuple(stage_states),
            title=row.title,
            year=row.year,
            first_author=str(authors[0]) if authors else None,
            source_id=own_ids.get(record_id),
            doi=row.doi,
        )
    return out


def select_states(
    states: dict[int, RecordState],
    *,
    stage: str | None = None,
    status: str | None = None,
    database: str | None = None,
    searches: Mapping[str, str] | None = None,
) -> list[RecordState]:
    """The records at `stage` (those screened there), with `status` there, from `database`
    (case-insensitive; "unspecified" for records whose database is not known).

    `database` is a detected database name or, with `searches` ({detected name: the
    `[[searches]]` database it matched}, see `search_names`), the protocol's name for it.
    Duplicates are never screened: with a `stage` they are listed only for
    `status="duplicate"`.
    """
    if status is not None and status not in STATUSES:
        raise LitrevError(f"unknown status {status!r}; expected one of: {', '.join(STATUSES)}")
    stage_name = _stage_names([stage])[0] if stage is not None else None
    first = next(iter(states.values()), None)
    if stage_name is not None and first is not None:
        screened = [s.stage for s in first.stages]
        if stage_name not in screened:
            raise LitrevError(
                f"stage {stage_name} is not screened in this review (its stages: "
                f"{', '.join(screened)}; [screening] stages in litrev.toml)"
            )
    wanted_db = database.casefold() if database is not None else None
    named = searches or {}
    chosen = []
    for state in states.values():
        here = state.status_at(stage_name)
        if here is None or (status is not None and here != status):
            continue
        if stage_name is not None and here == "duplicate" and status != "duplicate":
            continue
        if wanted_db is not None and wanted_db not in database_names(state, named):
            continue
        chosen.append(state)
    return chosen


def database_names(state: RecordState, searches: Mapping[str, str]) -> set[str]:
    """A record's database names as detected and as the protocol's `[[searches]]` call them,
    casefolded (what `--database` is compared with)."""
    names = {d.casefold() for d in state.databases}
    return names | {searches[d].casefold() for d in state.databases if d in searches}


def search_names(
    states: dict[int, RecordState], protocol_searches: Sequence[Any]
) -> dict[str, str]:
    """{detected database name: the `[[searches]]` database it matches}, for the names among
    `states` that match one (`litrev.records.sources.match_source`).

    >>> from litrev.protocol import DatabaseSearch
    >>> state = RecordState(id=1, databases=("PsycINFO",), cluster=1, status="pending")
    >>> search_names({1: state}, [DatabaseSearch(database="APA PsycInfo", aliases=["PsycINFO"])])
    {'PsycINFO': 'APA PsycInfo'}
    """
    from litrev.records.sources import match_sources

    names = [d for s in states.values() for d in s.databases]
    return {
        name: found.search
        for name, found in match_sources(names, protocol_searches).items()
        if found.search is not None
    }


def listing_columns(stages: Iterable[Any] | None = None) -> list[str]:
    """The columns of `RecordState.as_dict` for a review's stages (a header for no rows).

    >>> listing_columns(["title_abstract"])[:6]
    ['litrev_id', 'status', 'databases', 'cluster', 'duplicate_of', 'title_abstract']
    """
    stage_states = tuple(StageState(name, "") for name in _stage_names(stages))
    return list(RecordState(0, (), 0, "pending", stage_states).as_dict())


@dataclass
class RecordDetail:
    """Everything litrev holds about one record (`litrev records show`)."""

    state: RecordState
    fields: list[tuple[str, str]]  # the typed fields, then every raw field as read
    raw: list[tuple[str, str]]
    provenance: list[dict[str, Any]]
    cluster_members: list[int]
    decisions: list[dict[str, Any]] = field(default_factory=list)


def record_detail(
    screening: Screening, record_id: int, stages: Iterable[Any] | None = None
) -> RecordDetail:
    """All fields, sources, duplicate cluster and live decisions per stage and reviewer.

    Raises `LitrevError` naming the id range when there is no such record.

    >>> from litrev.store import Store
    >>> from litrev.screening.demo import add_records
    >>> from litrev.screening.decisions import Screening
    >>> store = Store.open("sqlite://"); _ = add_records(store, 2)
    >>> record_detail(Screening(store), 2).fields
    [('title', 'Record 2')]
    >>> record_detail(Screening(store), 5)
    Traceback (most recent call last):
    ...
    litrev.errors.LitrevError: no record 5 in this review (ids run from 1 to 2; see `litrev records list`)
    """
    from litrev.dedupe.persist import current_clusters
    from litrev.records.importer import stored_records
    from litrev.screening.model import current_decisions, current_resolutions

    store = screening.store
    found = stored_records(store, [record_id])
    if not found:
        with store.connect() as conn:
            low, high = (
                conn.execute(
                    select(schema.records.c.id).order_by(schema.records.c.id).limit(1)
                ).scalar(),
                conn.execute(
                    select(schema.records.c.id).order_by(schema.records.c.id.desc()).limit(1)
                ).scalar(),
            )
        known = f"ids run from {low} to {high}" if low is not None else "it has no records yet"
        raise LitrevError(
            f"no record {record_id} in this review ({known}; see `litrev records list`)"
        )
    _, record = found[0]
    state = record_states(screening, stages, record_ids=[record_id])[record_id]
    prov = schema.record_provenance
    with store.connect() as conn:
        provenance = [
            {
                "file": row.file,
                "position": row.position,
                "source_db": row.source_db,
                "format": row.format,
                "imported_at": row.imported_at.isoformat() if row.imported_at else None,
            }
            for row in conn.execute(
                select(prov).where(prov.c.record_id == record_id).order_by(prov.c.id)
            )
        ]
        clusters = current_clusters(conn)
    members = clusters.get(state.cluster, [record_id])
    typed = [
        (name, "; ".join(value) if isinstance(value, list) else str(value))
        for name in (
            "title",
            "authors",
            "year",
            "journal",
            "volume",
            "issue",
            "pages",
            "doi",
            "pmid",
            "pmcid",
            "issn",
            "keywords",
            "language",
            "publication_type",
            "url",
            "record_id",
            "source_db",
            "abstract",
        )
        if (value := getattr(record, name)) not in (None, [], "")
    ]
    decisions: list[dict[str, Any]] = []
    for name in _stage_names(stages):
        events = screening.events(name, record_id=record_id)
        votes = sorted(current_decisions(events).values(), key=lambda e: e.reviewer)
        resolution = current_resolutions(events).get(record_id)
        for event in [*votes, *([resolution] if resolution else [])]:
            decisions.append(
                {
                    "stage": name,
                    "reviewer": event.reviewer,
                    "decision": event.decision,
                    "reason": event.reason,
                    "note": event.note,
                    "resolution": event.resolution,
                    "at": event.created_at.isoformat() if event.created_at else None,
                }
            )
    return RecordDetail(state, typed, list(record.raw), provenance, members, decisions)
