"""Say how two strategies differ in meaning, and map fields explicitly before comparing.

>>> from litrev.search import parse
>>> a = parse('(coproduc* OR "public sector")[ti,ab]')
>>> b = parse('(coproduc* OR "public sector*" OR chemic*)[ti,ab]')
>>> for line in compare(a, b): print(line)
truncation: "public sector" in A is "public sector*" in B
terms only in B: chemic*
"""

from __future__ import annotations

from dataclasses import replace

from litrev.search.ast import (
    And,
    Fielded,
    Fields,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Query,
    Term,
    normalize,
)
from litrev.search.dialects.generator import field_names, leaf_fields, strip_fields

#: how each interface tokenises hyphens (search-syntax.md, "Hyphen / co-produc* behaviour")
HYPHENS: dict[str, str] = {
    "scopus": "a hyphen is a space: co-produc* finds co-production and co production, "
              "not coproduction",
    "ebsco": "a hyphen is a space (as Scopus): co-produc* finds co-production and "
             "co production, not coproduction",
    "ovid": "a hyphen is a space; whether truncation survives the implied phrase is UNVERIFIED",
    "wos": "hyphen handling in Topic is UNVERIFIED (guides advise both forms)",
    "cochrane": "a hyphen is a character: co-produc* likely misses co production",
    "pubmed": "a hyphenated word is looked up in the phrase index; with truncation UNVERIFIED",
}


def hyphenated_words(node: Node) -> list[str]:
    """The words of a strategy with a hyphen between letters (terms and phrase words), in
    order, once each: the words whose meaning depends on an interface's hyphen rule.

    >>> from litrev.search import parse
    >>> hyphenated_words(parse('(self-help* OR "peer-led group") AND gambl*', "litrev").root)
    ['self-help*', 'peer-led']
    """
    found: list[str] = []
    stack = [node]
    while stack:  # iterative and linear: strategies of thousands of lines
        current = stack.pop()
        if isinstance(current, Term):
            words: list[str] = [current.text]
        elif isinstance(current, Phrase):
            words = list(current.words)
        else:
            words = []
            if isinstance(current, (And, Or, Near)):
                stack.extend(reversed(current.children))
            elif isinstance(current, Not):
                stack.extend([current.exclude, current.include])
            elif isinstance(current, Fielded):
                stack.append(current.child)
        found += [w for w in words if "-" in w.strip("-")]
    return list(dict.fromkeys(found))


def hyphen_rule(dialect: str, words: list[str]) -> str:
    """An interface's hyphen rule, with its worked example only when the example is one of the
    strategy's own `words` (another review's word would mislead).

    >>> hyphen_rule("cochrane", ["self-help*"])
    'a hyphen is a character'
    >>> hyphen_rule("cochrane", ["co-produc*"])
    'a hyphen is a character: co-produc* likely misses co production'
    """
    rule, _, example = HYPHENS.get(dialect, "UNVERIFIED").partition(": ")
    if example and example.split()[0] in words:
        return HYPHENS[dialect]
    return rule


#: stemming/lemmatisation on by default (search-syntax.md section 0)
STEMMING: dict[str, str] = {
    "scopus": "stems/lemmatises by default (singular finds plural, US/UK spelling)",
    "wos": "lemmatises by default (off with quotes or wildcards)",
    "proquest": "lemmatises by default (off inside quotes)",
    "openalex": "Kstem stemming by default",
    "pubmed": "Automatic Term Mapping on untagged, untruncated words",
}


def merge_field_alternatives(query: Query | Node) -> Query:
    """`TI (X) OR AB (X)` -> `X` on title/abstract (the EBSCO/ProQuest seed pattern).

    This is a *mapping*, not an equivalence: in the first form all of X must match within
    one field; `compare` reports that difference.
    """
    q = query if isinstance(query, Query) else Query(query)
    root = normalize(q.root)
    split = _field_alternatives(root)
    if split is None:
        return q
    core, fields = split
    return Query(normalize(Fielded(core, fields)), q.limits)


def map_fields(query: Query | Node, mapping: dict[Fields, Fields]) -> Query:
    """Replace each leaf's field set by `mapping[fields]` where it is listed."""
    q = query if isinstance(query, Query) else Query(query)

    def walk(node: Node) -> Node:
        if isinstance(node, Term | Phrase):
            return replace(node, fields=mapping.get(node.fields, node.fields)) if (
                node.fields is not None) else node
        if isinstance(node, And | Or):
            return type(node)(tuple(walk(c) for c in node.children))
        if isinstance(node, Not):
            return Not(walk(node.include), walk(node.exclude))
        if isinstance(node, Near):
            return Near(tuple(walk(c) for c in node.children), node.distance, node.ordered)
        return node

    return Query(walk(normalize(q.root)), q.limits)


def _field_alternatives(root: Node) -> tuple[Node, Fields] | None:
    if not isinstance(root, Or) or len(root.children) < 2:
        return None
    cores = {strip_fields(c) for c in root.children}
    per_child = [leaf_fields(c) for c in root.children]
    if len(cores) != 1 or any(len(f) != 1 or None in f for f in per_child):
        return None
    if not any(isinstance(c, And | Not | Near) for c in root.children):
        return None  # a plain OR of words: the field alternatives are already exact
    union: Fields = frozenset().union(*(next(iter(f)) for f in per_child))  # type: ignore[arg-type]
    return cores.pop(), union


def _leaves(node: Node, negated: bool = False) -> dict[tuple[str, bool], Node]:
    if isinstance(node, Term | Phrase):
        return {(_show(strip_fields(node)), negated): node}
    out: dict[tuple[str, bool], Node] = {}
    if isinstance(node, Not):
        out |= _leaves(node.include, negated)
        out |= _leaves(node.exclude, not negated)
    elif isinstance(node, And | Or | Near):
        for child in node.children:
            out |= _leaves(child, negated)
    return out


def _show(node: Node) -> str:
    if isinstance(node, Term):
        return node.text.lower()
    if isinstance(node, Phrase):
        return '"' + " ".join(node.words).lower() + '"'
    from litrev.search.dialects import get_dialect

    return str(get_dialect("litrev").generator().generate(node))


def compare(a: Query | Node, b: Query | Node, dialect_a: str | None = None,
            dialect_b: str | None = None) -> list[str]:
    """Describe, one line each, how strategy `b` differs in meaning from strategy `a`.

    Differences reported: limits; field scope (all terms in one field vs across fields);
    field sets; truncation; terms present in only one; then the remaining structure.
    With dialect names, interface behaviour that differs (hyphens, stemming) is added.
    """
    qa = a if isinstance(a, Query) else Query(a)
    qb = b if isinstance(b, Query) else Query(b)
    out: list[str] = []
    for name, q, other in (("A", qa, qb), ("B", qb, qa)):
        only = sorted({f"{lim.kind}={lim.value}" for lim in set(q.limits) - set(other.limits)})
        if only:
            out.append(f"limits only in {name}: {', '.join(only)}")
    ra, rb = normalize(qa.root), normalize(qb.root)
    for name, root in (("A", ra), ("B", rb)):
        split = _field_alternatives(root)
        if split is not None:
            out.append(f"field scope: {name} needs every term within one field "
                       f"({' or '.join(sorted(f.value for f in split[1]))} separately); "
                       "the other lets terms match in different fields")
    ra = normalize(merge_field_alternatives(ra).root)
    rb = normalize(merge_field_alternatives(rb).root)
    fa, fb = leaf_fields(ra), leaf_fields(rb)
    if len(fa) == 1 and len(fb) == 1 and fa != fb:
        one_a, one_b = next(iter(fa)), next(iter(fb))
        out.append(f"fields: A searches {field_names(one_a)}, B searches {field_names(one_b)}")
        if one_a is not None and one_b is not None:
            ra = normalize(map_fields(ra, {one_a: one_b}).root)
    la, lb = _leaves(ra), _leaves(rb)
    only_a = {k: v for k, v in la.items() if k not in lb}
    only_b = {k: v for k, v in lb.items() if k not in la}
    for ka in list(only_a):
        for kb in list(only_b):
            if ka[1] == kb[1] and ka[0].rstrip('*"') == kb[0].rstrip('*"'):
                out.append(f"truncation: {ka[0]} in A is {kb[0]} in B")
                del only_a[ka], only_b[kb]
                break
    for name, side in (("A", only_a), ("B", only_b)):
        for negated in (False, True):
            words = [k[0] for k in side if k[1] == negated]
            if words:
                part = "excluded terms" if negated else "terms"
                out.append(f"{part} only in {name}: {', '.join(words)}")
    if not out and ra != rb:
        out.append(f"structure: A is {_show(ra)}; B is {_show(rb)}")
    out.extend(_dialect_notes(ra, dialect_a, dialect_b))
    return out


def _dialect_notes(root: Node, da: str | None, db: str | None) -> list[str]:
    if not da or not db or da == db:
        return []
    notes = []
    words = hyphenated_words(root)
    if words and HYPHENS.get(da) != HYPHENS.get(db):
        notes.append(f"hyphens: {da}: {hyphen_rule(da, words)}; {db}: {hyphen_rule(db, words)}"
                     f" (hyphenated terms: {', '.join(words[:5])})")
    if STEMMING.get(da) != STEMMING.get(db):
        notes.append(f"stemming: {da}: {STEMMING.get(da, 'none by default')}; "
                     f"{db}: {STEMMING.get(db, 'none by default')}")
    return notes


#: precedence readings tried by `precedence_readings` (higher binds tighter)
READINGS: dict[str, dict[str, int]] = {
    "left to right": {"OR": 1, "AND": 1, "NOT": 1, "SAME": 1, "NEAR": 2},
    "AND before OR, NOT with AND": {"OR": 1, "AND": 2, "NOT": 2, "SAME": 2, "NEAR": 3},
    "NOT before AND before OR": {"OR": 1, "AND": 2, "SAME": 2, "NOT": 3, "NEAR": 4},
    "OR before AND before NOT": {"NOT": 1, "AND": 2, "SAME": 2, "OR": 3, "NEAR": 4},
    "NOT last, then left to right": {"NOT": 1, "OR": 2, "AND": 2, "SAME": 2, "NEAR": 3},
}


def precedence_readings(text: str, dialect: str) -> dict[str, Query]:
    """The query `text` means under each plausible operator precedence, by reading name.

    Where a dialect's precedence is UNVERIFIED, this shows whether it matters for one
    strategy: if every reading gives the same tree, it does not.

    >>> readings = precedence_readings("a OR b AND c", "ebsco")
    >>> len({q for q in readings.values()})
    2
    """
    from litrev.search.dialects import get_dialect

    out = {}
    for name, levels in READINGS.items():
        reader = get_dialect(dialect, precedence=levels)
        out[name] = reader.parse(text)
    return out


def precedence_note(text: str, dialect: str) -> str:
    """One line for a report: does the strategy's meaning depend on operator precedence?

    >>> precedence_note("(a OR b) AND c NOT d", "cochrane")
    'cochrane: the strategy means the same under every operator precedence tried'
    """
    readings = precedence_readings(text, dialect)
    distinct = {q: name for name, q in readings.items()}
    if len(distinct) == 1:
        return f"{dialect}: the strategy means the same under every operator precedence tried"
    default = _default_reading(text, dialect)
    chosen = next((name for name, q in readings.items() if q == default), "its own rules")
    return (f"{dialect}: the strategy's meaning depends on operator precedence "
            f"({len(distinct)} different readings); litrev reads it as '{chosen}'")


def _default_reading(text: str, dialect: str) -> Query:
    from litrev.search.dialects import get_dialect

    return get_dialect(dialect).parse(text)
