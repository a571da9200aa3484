"""Who may decide: the review's reviewers, declared in the protocol (`[screening] reviewers`) or
registered with `litrev reviewer add`, and the check that refuses any other name.

A misspelt name must never start a new reviewer: "xz" deciding records "xx" meant to decide would
leave both halves of the dual screening short and nobody would notice. So every name a person
types (decide, a decisions CSV, conflicts --by, screen -r, extract import --reviewer) goes through
`require_reviewer`, which names the closest known reviewer when it refuses.

>>> require_reviewer("xx", {"xx", "yy"})
'xx'
>>> require_reviewer("xz", {"xx", "yy"})
Traceback (most recent call last):
...
litrev.screening.model.ScreeningError: reviewer 'xz' is not one of this review's reviewers (xx, yy); did you mean 'xx'? Declare new reviewers in litrev.toml (screening.reviewers) or add them with `litrev reviewer add xz`
"""

from __future__ import annotations

from collections.abc import Collection

from litrev.screening.model import ScreeningError, reviewer_name


def nearest_name(name: str, known: Collection[str]) -> str | None:
    """The known name closest to `name` (ignoring case), if any is reasonably close.

    >>> nearest_name("Anne", ["ann", "bob"])
    'ann'
    >>> nearest_name("zed", ["ann", "bob"]) is None
    True
    """
    from rapidfuzz import fuzz, process

    if not known:
        return None
    found = process.extractOne(
        name, sorted(known), scorer=fuzz.ratio, processor=str.casefold, score_cutoff=50
    )
    return None if found is None else str(found[0])


def require_reviewer(name: str, known: Collection[str], *, field: str = "reviewer") -> str:
    """`name` (stripped) if it is a known reviewer; otherwise a `ScreeningError` that says which
    names are known, the nearest one, and how to add a new reviewer."""
    clean = reviewer_name(name)
    if clean in known:
        return clean
    how = (
        "Declare new reviewers in litrev.toml (screening.reviewers) or add them with "
        f"`litrev reviewer add {clean}`"
    )
    if not known:
        raise ScreeningError(
            f"reviewer {clean!r}: this review has no reviewers yet. {how}", field=field
        )
    close = nearest_name(clean, known)
    hint = f"; did you mean {close!r}?" if close is not None else "."
    listed = ", ".join(sorted(known)[:20]) + (", ..." if len(known) > 20 else "")
    raise ScreeningError(
        f"reviewer {clean!r} is not one of this review's reviewers ({listed}){hint} {how}",
        field=field,
    )
