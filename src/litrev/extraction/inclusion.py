"""Where a record stands for extraction: only records included at full text (agreed or resolved)
are extracted; any other gets its status, named as a reviewer would say it.

>>> from litrev.store import Store
>>> store = Store.open("sqlite://")
>>> with store.connect() as conn:
...     inclusion_statuses(store, None, conn, [])
{}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection

from litrev.store import Store

if TYPE_CHECKING:
    from litrev.screening.decisions import Screening


def inclusion_statuses(
    store: Store, screening: Screening | None, conn: Connection, record_ids: list[int]
) -> dict[int, str]:
    """{record id: where it stands} for the records among `record_ids` that are not included
    at full text (agreed or resolved), e.g. "excluded at title_abstract (wrong-population)"."""
    from litrev.screening.decisions import Screening
    from litrev.screening.model import Stage, State

    screening = screening or Screening(store)
    dupes = screening.duplicates(conn)
    ta = screening.outcomes(Stage.TITLE_ABSTRACT, conn)
    ft = screening.outcomes(Stage.FULL_TEXT, conn)
    found: dict[int, str] = {}
    for rid in record_ids:
        if rid in dupes:
            found[rid] = f"a duplicate of record {dupes[rid]} (deduplication)"
            continue
        final = ft.get(rid)
        if final is not None and final.final and final.decision == "include":
            continue
        for stage, outcomes in ((Stage.FULL_TEXT, ft), (Stage.TITLE_ABSTRACT, ta)):
            o = outcomes.get(rid)
            if o is None or o.state is State.UNSCREENED:
                continue
            if o.final:
                why = f" ({o.reason})" if o.reason else ""
                found[rid] = f"{o.decision}d at {stage.value}{why}"
            elif o.state is State.CONFLICT:
                found[rid] = f"in an unresolved conflict at {stage.value}"
            else:
                found[rid] = f"awaiting another reviewer at {stage.value}"
            break
        else:
            found[rid] = "not screened"
        if found[rid] == "included at title_abstract":
            found[rid] = "included at title_abstract but not yet screened at full_text"
    return found
