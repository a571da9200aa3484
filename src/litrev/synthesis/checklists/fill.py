"""What litrev can answer of the PRISMA 2020 and PRISMA-S checklist items (`checklist.py`).

Each filler reads the protocol and the flow and returns (answer, status) or None when litrev
does not know; `partial` answers say what the team must add.
"""

from __future__ import annotations

from collections.abc import Callable

from litrev.protocol import DatabaseSearch, Protocol
from litrev.synthesis.prisma.flow import Count, Flow


def _n(count: Count) -> str:
    return "not reported" if count.value is None else f"{count.value:,}"


def _search_line(search: DatabaseSearch) -> str:
    platform = f" via {search.platform}" if search.platform else ""
    when = f", searched {search.date.isoformat()}" if search.date else ", date not recorded"
    return f"{search.database}{platform}{when}"


def _by_kind(protocol: Protocol, kind: str) -> list[DatabaseSearch]:
    return [s for s in protocol.searches if s.kind == kind]


Answer = tuple[str, str]  # (text, status)
Filler = Callable[[Protocol, Flow], Answer | None]


def _title(p: Protocol, f: Flow) -> Answer:
    return f"{p.review.title} ({p.review.type} review, as litrev.toml says)", "partial"


def _question(p: Protocol, f: Flow) -> Answer | None:
    return (p.review.question, "litrev") if p.review.question else None


def _eligibility(p: Protocol, f: Flow) -> Answer | None:
    parts = []
    if p.eligibility.inclusion:
        parts.append("Inclusion: " + "; ".join(p.eligibility.inclusion) + ".")
    if p.eligibility.exclusion_reasons:
        labels = "; ".join(r.label for r in p.eligibility.exclusion_reasons)
        parts.append(f"Exclusion reasons: {labels}.")
    if not parts:
        return None
    return " ".join(parts) + " How studies were grouped for the syntheses: for the team.", "partial"


def _sources(p: Protocol, f: Flow) -> Answer | None:
    if not p.searches:
        return None
    groups = []
    for kind, name in (("database", "database"), ("register", "register"), ("other", "other")):
        found = _by_kind(p, kind)
        if found:
            what = f"{len(found)} {name}{'s' if len(found) != 1 else ''}"
            if kind == "other":
                what = f"{len(found)} other method{'s' if len(found) != 1 else ''}"
            groups.append(f"{what}: " + "; ".join(_search_line(s) for s in found))
    undated = any(s.date is None for s in p.searches)
    return ". ".join(groups) + ".", "partial" if undated else "litrev"


def _strategies(p: Protocol, f: Flow) -> Answer | None:
    if not p.searches:
        return None
    kept = [s.database for s in p.searches if s.strategy.strip()]
    missing = [s.database for s in p.searches if not s.strategy.strip()]
    text = f"Strategies recorded in litrev.toml for {len(kept)} of {len(p.searches)} searches"
    text += " (the report prints them)."
    if missing:
        text += " Without a recorded strategy: " + ", ".join(missing) + "."
    return text, "partial" if missing else "litrev"


def _selection(p: Protocol, f: Flow) -> Answer:
    s = p.screening
    stages = " and ".join(
        "title/abstract" if st == "title_abstract" else "full text" for st in s.stages
    )
    people = f"{len(s.reviewers)} reviewers named" if s.reviewers else "reviewers not named"
    mode = "two reviewers per record (dual)" if s.mode == "dual" else "one reviewer per record"
    text = f"Screening at {stages}, {mode}; {people} in litrev.toml."
    return text + " Independence and automation tools: for the team.", "partial"


def _extraction(p: Protocol, f: Flow) -> Answer:
    mode = (
        "two extractors per study, then a consensus"
        if p.extraction.mode == "dual"
        else "one extractor per study"
    )
    return f"Data extraction: {mode} (litrev.toml [extraction] mode).", "partial"


def _codebook(p: Protocol, f: Flow) -> Answer | None:
    fields = p.codebook.fields
    if not fields:
        return None
    names = "; ".join(f"{c.label or c.name} ({c.type})" for c in fields)
    return f"Codebook fields: {names}. Assumptions about missing data: for the team.", "partial"


def _appraisal(p: Protocol, f: Flow) -> Answer | None:
    if p.appraisal.tools:
        # Tools adopted in litrev (litrev.appraisal): name them; the team adds the rest.
        from litrev.appraisal.tools import tool

        titles = "; ".join(tool(name).title for name in p.appraisal.tools)
        raters = (
            "two reviewers independently, ratings reconciled"
            if p.appraisal.double_rated
            else "one reviewer per study"
        )
        return f"Appraised with {titles} ({raters}; litrev.toml [appraisal]).", "partial"
    if p.screening.quality_appraisal:
        return None
    return "No quality appraisal was done (litrev.toml: [screening] quality_appraisal = false).", (
        "litrev"
    )


def _tabulation(p: Protocol, f: Flow) -> Answer | None:
    if not (p.report.crosstabs or p.report.tables or p.codebook.fields):
        return None
    pairs = p.report.crosstabs or []
    parts = ["Frequency tables and charts of the coded fields (litrev report)"]
    if pairs:
        parts.append("cross-tables " + ", ".join(f"{a} by {b}" for a, b in pairs))
    if p.report.tables:
        parts.append(f"{len(p.report.tables)} table(s) of included studies (litrev tables)")
    return "; ".join(parts) + ".", "partial"


def _flow(p: Protocol, f: Flow) -> Answer:
    text = (
        f"Records identified n = {_n(f.identified)}; records screened n = "
        f"{_n(f.records_screened)}; reports assessed n = {_n(f.full_text_assessed)}; studies "
        f"included n = {_n(f.included)} (PRISMA 2020 flow diagram: prisma.svg)."
    )
    if f.overrides:
        text += " Counts set in [flow.overrides]: " + ", ".join(sorted(f.overrides)) + "."
    return text, "litrev"


def _excluded(p: Protocol, f: Flow) -> Answer | None:
    reasons = {**f.full_text_excluded_reasons}
    for code, n in f.other.full_text_excluded_reasons.items():
        reasons[code] = reasons.get(code, 0) + n
    if not reasons:
        return None
    listed = "; ".join(f"{f.label(code)} (n = {n:,})" for code, n in reasons.items())
    return f"Reports excluded at full text by reason: {listed}. Citing them: for the team.", (
        "partial"
    )


def _database_names(p: Protocol, f: Flow) -> Answer | None:
    found = _by_kind(p, "database")
    if not found:
        return None
    lines = [
        f"{s.database} ({s.platform})" if s.platform else f"{s.database} (platform not recorded)"
        for s in found
    ]
    unknown = any(not s.platform for s in found)
    return "; ".join(lines) + ".", "partial" if unknown else "litrev"


def _multi(p: Protocol, f: Flow) -> Answer | None:
    platforms: dict[str, list[str]] = {}
    for s in _by_kind(p, "database"):
        if s.platform:
            platforms.setdefault(s.platform, []).append(s.database)
    shared = {k: v for k, v in platforms.items() if len(v) > 1}
    if not shared:
        return None
    listed = "; ".join(f"{k}: {', '.join(v)}" for k, v in shared.items())
    return (
        f"Platforms with more than one database: {listed}. Searched at once or apart: for the team.",
        "partial",
    )


def _registries(p: Protocol, f: Flow) -> Answer:
    found = _by_kind(p, "register")
    if not found:
        return "No study register is listed in [[searches]].", "litrev"
    return "; ".join(_search_line(s) for s in found) + ".", "litrev"


def _others(words: tuple[str, ...]) -> Filler:
    def fill(p: Protocol, f: Flow) -> Answer | None:
        found = [
            s
            for s in _by_kind(p, "other")
            if not words or any(w in f"{s.method} {s.database}".casefold() for w in words)
        ]
        if not found:
            return None
        listed = "; ".join(f"{s.database} ({s.method or 'method not recorded'})" for s in found)
        return f"{listed}. How it was done: for the team.", "partial"

    return fill


def _limits(p: Protocol, f: Flow) -> Answer | None:
    limited = [
        f"{s.database}: {s.limits_text or ', '.join(s.limits)}"
        for s in p.searches
        if s.limits or s.limits_text
    ]
    if not limited:
        return None
    return "; ".join(limited) + ". Justification: for the team.", "partial"


def _dates(p: Protocol, f: Flow) -> Answer | None:
    if not p.searches:
        return None
    undated = any(s.date is None for s in p.searches)
    lines = [
        f"{s.database}: {s.date.isoformat() if s.date else 'date not recorded'}" for s in p.searches
    ]
    return "; ".join(lines) + ".", "partial" if undated else "litrev"


def _totals(p: Protocol, f: Flow) -> Answer | None:
    parts = [
        f"{name} n = {_n(c)}"
        for group in (f.databases, f.registers, f.other.sources)
        for name, c in group.items()
    ]
    if not parts:
        return None
    return "; ".join(parts) + f"; records identified in total n = {_n(f.identified)}.", "litrev"


def _dedupe(p: Protocol, f: Flow) -> Answer | None:
    removed = f.duplicates_removed
    if removed.source == "data":
        return (
            f"Deduplicated with litrev (title similarity, identifiers; merges reviewed): "
            f"{removed.value:,} duplicate records removed.",
            "litrev",
        )
    if removed.known:
        return (
            f"{removed.value:,} duplicate records removed (reported; the software: for the team).",
            "partial",
        )
    return None


FILLERS: dict[str, Filler] = {
    "title": _title,
    "question": _question,
    "eligibility": _eligibility,
    "sources": _sources,
    "strategies": _strategies,
    "selection": _selection,
    "extraction": _extraction,
    "codebook": _codebook,
    "appraisal": _appraisal,
    "appraisal_results": _appraisal,
    "tabulation": _tabulation,
    "flow": _flow,
    "excluded_reasons": _excluded,
    "database_names": _database_names,
    "multi_database": _multi,
    "registries": _registries,
    "online": _others(("website", "hand", "brows", "online", "table of contents", "conference")),
    "citation": _others(("citation", "reference list", "snowball")),
    "other_methods": _others(()),
    "limits": _limits,
    "dates": _dates,
    "totals": _totals,
    "dedupe": _dedupe,
}
