"""Which interface a pasted strategy was written for, from the evidence in its text.

Each clue (a field tag's shape, how lines are numbered, an operator such as `adj3`,
`NEAR/3`, `W/3`, `PRE/2`, a heading form, a print header) adds a weight to the dialects it
belongs to; a clue counts at most three times. The candidates are then tried in score order
and the first that parses wins, so a strategy is never "detected" as a dialect that cannot
read it. Confidence is that dialect's share of the evidence (0 to 1), lowered when a
higher-scoring dialect failed to parse it.

>>> d = detect("1 exp Neoplasms/\\n2 (tumour* adj3 growth).ti,ab.\\n3 1 or 2")
>>> d.dialect, d.confidence > 0.8
('ovid', True)
>>> detect('"heart attack"[tiab:~2] OR "Myocardial Infarction"[mh]').dialect
'pubmed'
"""

from __future__ import annotations

import re
from typing import NamedTuple

from litrev.search.dialects import DIALECTS, get_dialect
from litrev.search.dialects.base import normalize_quotes
from litrev.search.errors import SearchSyntaxError


class Detection(NamedTuple):
    """The dialect found, how sure (0-1), and the evidence, one sentence per clue."""

    dialect: str
    confidence: float
    reasons: list[str]


#: (regex, {dialect: weight}, what the clue is); weights: 5 decisive, 3 strong, 1 weak
_Clue = tuple[str, dict[str, float], str]
CLUES: list[_Clue] = [
    # field tags
    (
        r"(?<=[\w*?$#\")])\.(?:ti|ab|tw|mp|kf|kw|sh|fs|nm|hw|af|ot|ed|pt|rs|cm|sb|au|jn|lg|rn)"
        r"(?:,[a-z]{2})*\.?(?=[\s)]|$)",
        {"ovid": 5},
        "an Ovid field suffix",
    ),
    (
        r"(?i)\[(?:tiab|title/abstract|mh|mesh|mesh terms|majr|mesh major topic|sh|nm|pa|"
        r"supplementary concept|pharmacological action|all fields|text word|sb|dp|pdat|crdt|edat|"
        r"ta|jour)(?::noexp|:~\d+)?\]",
        {"pubmed": 4},
        "a PubMed tag",
    ),
    (r"\[(?:ti|ab|tw|pt|la|au|ot)\]", {"pubmed": 2, "litrev": 1}, "a bracketed field tag"),
    (
        r"\[(?:ti|ab|kw|sh|tw|all|au|jo|af|pt|la)(?:,(?:ti|ab|kw|sh|tw|all|au|jo|af|pt|la))+\]",
        {"litrev": 4},
        "a litrev field list",
    ),
    (
        r"(?<=[\w*?\")]):(?:ti|ab|kw)(?:,(?:ti|ab|kw))*(?![\w,])",
        {"cochrane": 3, "embase": 2},
        "a ':ti,ab,kw' field label (Cochrane, Embase.com)",
    ),
    (r"(?<=[\w*?')]):(?:de|jt|ff|it|lnk)\b", {"embase": 4}, "an Embase.com field label"),
    (
        r"\b(?:TI|AB|SU|TX|KW|SO|MW|AF)\s+(?=[\w\"(])",
        {"ebsco": 3},
        "an EBSCOhost field code before a term",
    ),
    (
        r"(?i)\b(?:ti|ab|su|noft|if|pub|ti,ab|ab,ti)\((?!\))",
        {"proquest": 3},
        "a ProQuest field code",
    ),
    (
        r"(?i)\b(?:TITLE-ABS-KEY|TITLE-ABS|AUTHKEY|INDEXTERMS|SRCTITLE|AFFIL|KEY)\s*\(",
        {"scopus": 5},
        "a Scopus field code",
    ),
    (r"\b(?:TITLE|ABS)\s*\(", {"scopus": 2}, "a Scopus-style field code"),
    (r"\b(?:TS|TI|AB|AK|KP|OG|TOPIC|PY|DT|LA|SO|AU)\s*=", {"wos": 5}, "a Web of Science field tag"),
    (
        r"\b(?:TITLE|ABSTRACT|KW|AUTH|JOURNAL|AFF|MESH_HEADING|MESH_MAJOR|LANG|PUB_TYPE|PUB_YEAR"
        r"|FIRST_PDATE|METHODS|SRC):",
        {"europepmc": 5},
        "a Europe PMC field",
    ),
    (r"(?m)^\s*(?:search|filter)=|\.search:", {"openalex": 6}, "an OpenAlex parameter"),
    # headings
    (r"(?i)\bexp\s+\*?[A-Z][^/\n]*/", {"ovid": 5}, "an exploded Ovid heading 'exp X/'"),
    (
        r"(?m)(?:^|\s)\*?[A-Z][\w ,'-]*/(?:[a-z]{2}(?:,\s*[a-z]{2})*)?(?=\s*(?:$|\s(?:or|and|not)\s"
        r"|\)))",
        {"ovid": 2},
        "an Ovid heading 'X/'",
    ),
    (r"(?i)\[mh\s", {"cochrane": 5}, "a Cochrane '[mh ...]' heading"),
    (r"(?i)MeSH descriptor:", {"cochrane": 6}, "a Cochrane 'MeSH descriptor:' line"),
    (r"'[^'\n]+'/(?:exp|de|mj)\b", {"embase": 6}, "an Emtree term 'x'/exp"),
    (r"\((?:MH|MM)\s+\"", {"ebsco": 6}, 'an EBSCOhost heading (MH "...")'),
    (r"(?i)\b(?:MESH|MJMESH|SU|MJSUB)\.EXACT", {"proquest": 6}, "a ProQuest heading"),
    (r"mesh:\"|emtree:\"|cinahl:\"", {"litrev": 6}, "a litrev heading"),
    # proximity operators
    (r"(?i)\badj\d*\b", {"ovid": 4}, "the Ovid operator adjN"),
    (r"\bNEXT/\d+", {"embase": 5}, "the Embase.com operator NEXT/n"),
    (r"\bNEXT\b(?!/)", {"cochrane": 3}, "the Cochrane operator NEXT"),
    (
        r"(?i)\bNEAR/\d+",
        {"cochrane": 1, "embase": 1, "wos": 1, "proquest": 1, "litrev": 1},
        "the operator NEAR/n",
    ),
    (r"\bNEAR\b(?!/)", {"cochrane": 1, "wos": 1}, "a bare NEAR"),
    (r"(?i)\bW/\d+", {"scopus": 5}, "the Scopus operator W/n"),
    (r"\bPRE/\d+", {"scopus": 2, "proquest": 1, "litrev": 1}, "the operator PRE/n"),
    (r"\b[NW]\d+\b", {"ebsco": 4}, "the EBSCOhost operator Nn/Wn"),
    (r"\"[^\"\n]+\"~\d+", {"europepmc": 3}, "a '\"a b\"~n' proximity"),
    (r"\bSAME\b", {"wos": 3}, "the Web of Science operator SAME"),
    # lines, combinations, limits and print layout
    (r"(?i)\b(?:or|and)/\d+(?:[-,]\d+)*", {"ovid": 6}, "an Ovid line combination or/1-n"),
    (
        r"(?im)^\s*\d+\.?\s+(?:\d+\s+(?:or|and|not)\s+\d+|limit\s+\d+\s+to)\b",
        {"ovid": 5},
        "an Ovid numbered line combining line numbers",
    ),
    (r"(?m)^\s*\d+\.?(?=\s+\S)", {"ovid": 1}, "a line number without '#' or 'S'"),
    (r"(?m)^\s*S\d+\s", {"ebsco": 2, "proquest": 1}, "a line numbered S1, S2, ..."),
    (r"\bS\d+\s+(?:AND|OR|NOT)\s+S\d+", {"ebsco": 2, "proquest": 1}, "lines combined as S1 OR S2"),
    (
        r"(?m)^\s*#\s?\d+\s",
        {"cochrane": 1, "pubmed": 1, "embase": 1, "wos": 1},
        "a line numbered #1, #2, ...",
    ),
    (r"\{(?i:OR|AND)\s+#\d+", {"cochrane": 6}, "a Cochrane '{OR #1-#n}' combination"),
    (
        r"(?i)\bwith\s+(?:Cochrane Library publication date|Publication Year)\b|,\s*in Trials\b",
        {"cochrane": 6},
        "a Cochrane date/record-type limit",
    ),
    (
        r"(?i)Limiters\s+-|Search modes\s+-|Expanders\s+-|Interface\s+-\s+EBSCOhost",
        {"ebsco": 6},
        "an EBSCOhost history column",
    ),
    (r"Indexes=|Timespan=|Databases=\s*WOS", {"wos": 6}, "a Web of Science history column"),
    (r"(?i)LIMIT-TO\s*\(|PUBYEAR\s*[<>=]", {"scopus": 6}, "a Scopus limit"),
    (r"\[[a-z0-9 -]+\]/(?:lim|py)\b", {"embase": 6}, "an Embase.com limit"),
    (r"(?m)^\s*Filters:", {"pubmed": 4}, "a PubMed 'Filters:' line"),
    (
        r"(?m)^\s*LIMIT\s+(?:language|date|publication_type|peer_reviewed)",
        {"litrev": 6},
        "a litrev LIMIT line",
    ),
    (
        r"(?im)^\s*Database:\s*(?:Ovid|Embase\s*<|APA PsycInfo\s*<|PsycINFO\s*<|Ovid MEDLINE)",
        {"ovid": 6},
        "an Ovid print header",
    ),
    (r"(?im)^\s*ID\s+Search\s+Hits\s*$", {"cochrane": 6}, "the Cochrane 'ID Search Hits' header"),
    (r"\$\d*(?=[\s).]|$)", {"ovid": 1, "wos": 1}, "the '$' wildcard"),
    (r"\bAND NOT\b", {"scopus": 1, "proquest": 1, "litrev": 0.5}, "'AND NOT'"),
    (r"(?<![\w\"])(?:or|and)(?=\s)", {"ovid": 1}, "a lowercase operator"),
]
_COMPILED = [(re.compile(rx), weights, what) for rx, weights, what in CLUES]


def detect(text: str) -> Detection:
    """Guess the dialect of a strategy: `(dialect, confidence, reasons)`.

    With no clue at all the answer is `litrev` with confidence 0 (and a reason saying so).

    >>> detect("TITLE-ABS-KEY(heart W/2 attack)").dialect
    'scopus'
    >>> detect("heart").confidence
    0.0
    """
    clean = normalize_quotes(text)
    scores = dict.fromkeys(DIALECTS, 0.0)
    evidence: dict[str, list[tuple[float, str]]] = {d: [] for d in DIALECTS}
    for regex, weights, what in _COMPILED:
        hits = list(regex.finditer(clean))
        if not hits:
            continue
        first = hits[0]
        line = clean.count("\n", 0, first.start()) + 1
        shown = first.group().strip() or first.group()
        times = f" ({len(hits)} times)" if len(hits) > 1 else ""
        for dialect, weight in weights.items():
            gained = weight * min(len(hits), 3)
            scores[dialect] += gained
            evidence[dialect].append((gained, f"line {line}: {shown!r} is {what}{times}"))
    ranked = sorted((d for d in DIALECTS if scores[d] > 0), key=lambda d: -scores[d])
    total = sum(scores.values())
    failures: list[str] = []
    for dialect in ranked:
        try:
            get_dialect(dialect).parse(clean)
        except SearchSyntaxError as error:
            failures.append(
                f"{dialect} scored {scores[dialect]:g} but does not parse it "
                f"(line {error.line}, column {error.column}: {error.message})"
            )
            continue
        confidence = scores[dialect] / total
        if failures:
            confidence /= 2
        reasons = [r for _, r in sorted(evidence[dialect], key=lambda e: -e[0])]
        runner = next((d for d in ranked if d != dialect), None)
        if runner is not None:
            reasons.append(
                f"next best: {runner} (score {scores[runner]:g} against {scores[dialect]:g})"
            )
        return Detection(dialect, round(confidence, 2), reasons + failures)
    if ranked:
        return Detection(ranked[0], 0.0, [*failures, "no dialect with clues parses it"])
    return Detection(
        "litrev", 0.0, ["no dialect-specific syntax found; read as litrev's canonical form"]
    )


__all__ = ["CLUES", "Detection", "detect"]
