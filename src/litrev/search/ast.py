"""The one expression tree every dialect parses into and generates from.

Conventions (the contract between dialects):

* A `Term` holds one word in litrev's canonical wildcard notation: `*` is zero or more
  characters, `?` exactly one character, `%` zero or one character (Ovid `?`, EBSCO `#`).
  `max_extra` bounds a trailing `*` (Ovid `gene$4` is `Term("gene*", max_extra=4)`).
* A `Phrase` is an exact sequence of words (each word may hold wildcards).
* Fields are a frozenset of `Field`; `None` means "the dialect's default fields", which is
  not the same as `Field.ALL`. A field on a group is pushed down to its leaves by
  `normalize`, so `TI (a OR b)` and `a[ti] OR b[ti]` are equal trees.
* `Near.distance` is the largest number of words allowed *between* the operands
  (Scopus `W/n` = n, Ovid `adjN` = N-1, Embase `NEAR/n` = n-1, PubMed `~N` = N).
* `Not(include, exclude)` means `include AND NOT exclude`.
* Limits (language, publication type, dates, peer review) sit on `Query`, not in the tree.
* `span` (line, column) records where a node started in the text it was parsed from; it is
  keyword-only, never compared, and used only to say where a warning or lint applies.

`normalize` also applies three rewrites that never change which records match, so that
trees meaning the same query compare equal: `a AND (b NOT c)` becomes `(a AND b) NOT c`
and `(a NOT b) NOT c` becomes `a NOT (b OR c)`; inside an OR, one word searched in two
field sets becomes that word on their union (`a[ti] OR a[ab]` is `a[ti,ab]`); and an
ordered proximity of distance 0 over plain words is the phrase of those words;
`colo?r OR color` is `colo%r`. Equality also treats `a NEAR (b OR c)` as
`(a NEAR b) OR (a NEAR c)`.

Equality is semantic: `And`/`Or` compare as sets of their flattened children, so
`a OR (b OR a)` equals `b OR a`. Children keep the order the user wrote for generation.

>>> Or((Term("a"), Or((Term("b"), Term("a"))))) == Or((Term("b"), Term("a")))
True
>>> Fielded(Or((Term("a"), Term("b"))), frozenset({Field.TITLE})) == Or(
...     (Term("a", fields=frozenset({Field.TITLE})), Term("b", fields=frozenset({Field.TITLE}))))
True
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import permutations
from typing import Any


class Field(StrEnum):
    TITLE = "title"
    ABSTRACT = "abstract"
    KEYWORDS = "keywords"  # author keywords (Scopus AUTHKEY, Ovid .kf., Cochrane kw)
    SUBJECT = "subject"  # controlled-vocabulary headings as text (Ovid .sh., EBSCO SU)
    ALL = "all"  # all searchable text (EBSCO TX, Ovid .mp., PubMed [all])
    TEXT_WORD = "text_word"  # PubMed [tw], Ovid .tw.
    AUTHOR = "author"
    JOURNAL = "journal"
    AFFILIATION = "affiliation"
    PUBLICATION_TYPE = "publication_type"
    LANGUAGE = "language"
    # Index fields of MEDLINE-style databases (PubMed tag / Ovid code):
    SUBHEADING = "subheading"  # MeSH subheading on its own: PubMed [sh], Ovid .fs.
    SUBSTANCE = "substance"  # substance names, supplementary concepts: [nm], .nm., .rs.
    PHARMACOLOGICAL_ACTION = "pharmacological_action"  # PubMed [pa]
    ORIGINAL_TITLE = "original_title"  # non-English title: PubMed [tt], Ovid .ot.
    COMMENTS = "comments"  # comment/correction notes: Ovid .cm.
    ENTRY_DATE = "entry_date"  # date the record entered the database: [edat], .ed.
    SUBSET = "subset"  # journal/citation subset: PubMed [sb], Ovid .sb.
    HEADING_WORD = "heading_word"  # a word inside subject headings: Ovid .hw.
    PUBLICATION_DATE = "publication_date"  # as a field on words: `2012*[dp]`, `2012*.yr.`


Fields = frozenset[Field]
TI_AB: Fields = frozenset({Field.TITLE, Field.ABSTRACT})
TI_AB_KW: Fields = frozenset({Field.TITLE, Field.ABSTRACT, Field.KEYWORDS})


class Vocabulary(StrEnum):
    MESH = "mesh"
    EMTREE = "emtree"
    CINAHL = "cinahl"
    APA = "apa"  # APA Thesaurus of Psychological Index Terms (PsycInfo)


@dataclass(frozen=True, eq=False)
class Node:
    """Base class of every tree node. Equality and hashing use `normalize`."""

    span: tuple[int, int] | None = field(default=None, kw_only=True, repr=False, compare=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Node):
            return NotImplemented
        return self is other or semantic_key(self) == semantic_key(other)

    def __hash__(self) -> int:
        return hash(semantic_key(self))


@dataclass(frozen=True, eq=False)
class Term(Node):
    text: str
    fields: Fields | None = None
    max_extra: int | None = None


@dataclass(frozen=True, eq=False)
class Phrase(Node):
    words: tuple[str, ...]
    fields: Fields | None = None


@dataclass(frozen=True, eq=False)
class Heading(Node):
    """A controlled-vocabulary heading: MeSH, Emtree, CINAHL or APA subject headings."""

    term: str
    vocabulary: Vocabulary = Vocabulary.MESH
    explode: bool = True
    major: bool = False
    subheadings: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class And(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Or(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Not(Node):
    include: Node
    exclude: Node


@dataclass(frozen=True, eq=False)
class Near(Node):
    children: tuple[Node, ...]
    distance: int
    ordered: bool = False
    fields: Fields | None = None


@dataclass(frozen=True, eq=False)
class Fielded(Node):
    """A field restriction on a whole group, as written (`TI ( ... )`); removed by `normalize`."""

    child: Node
    fields: Fields


@dataclass(frozen=True)
class Limit:
    kind: str  # "language" | "publication_type" | "date" | "peer_reviewed"
    value: str  # "English"; "Journal Article"; "2000-01-01..2019-03-18"; "true"


@dataclass(frozen=True)
class Query:
    """A whole strategy: the tree plus the limits applied to it."""

    root: Node
    limits: tuple[Limit, ...] = field(default=())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Query):
            return NotImplemented
        return self.root == other.root and set(self.limits) == set(other.limits)

    def __hash__(self) -> int:
        return hash((self.root, frozenset(self.limits)))


Expression = Term | Phrase | Heading | And | Or | Not | Near | Fielded


def normalize(node: Node, inherited: Fields | None = None) -> Node:
    """Push group fields down to the leaves and flatten nested AND/OR of the same kind.

    Trees are immutable, so each node remembers its normal form (per inherited field set):
    a strategy whose lines refer to earlier lines shares subtrees, and without the memo
    every level of nesting normalised (and hashed) everything below it again, which made
    the cost grow exponentially with the depth of line references.

    >>> normalize(Fielded(Term("a"), frozenset({Field.TITLE})))
    Term(text='a', fields=frozenset({<Field.TITLE: 'title'>}), max_extra=None)
    """
    memo: dict[Fields | None, Node] | None = node.__dict__.get("_normal")
    if memo is None:
        memo = {}
        object.__setattr__(node, "_normal", memo)
    done = memo.get(inherited)
    if done is None:
        done = _normalize(node, inherited)
        memo[inherited] = done
        if done is not node:
            # the normal form is its own normal form: normalising it again is free
            done.__dict__.setdefault("_normal", {}).setdefault(None, done)
    return done


def semantic_key(node: Node) -> Any:
    """The hashable key two trees share exactly when `==` calls them equal.

    >>> semantic_key(Or((Term("a"), Term("b")))) == semantic_key(Or((Term("b"), Term("a"))))
    True
    """
    return _child_key(normalize(node))


def _normalize(node: Node, inherited: Fields | None) -> Node:
    span = node.span
    if isinstance(node, Fielded):
        return normalize(node.child, node.fields)
    if isinstance(node, Term):
        if inherited is not None and node.fields is None:  # direct: replace() is slow
            return Term(node.text, inherited, node.max_extra, span=span)
        return node
    if isinstance(node, Phrase):
        if inherited is not None and node.fields is None:
            return Phrase(node.words, inherited, span=span)
        return node
    if isinstance(node, Near):
        fields = node.fields if node.fields is not None else inherited
        children = tuple(normalize(c, fields) for c in node.children)
        return _near_as_phrase(children, node.distance, node.ordered) or Near(
            children, node.distance, node.ordered, None, span=span
        )
    if isinstance(node, And | Or):
        kind = type(node)
        flat: list[Node] = []
        for child in node.children:
            child = normalize(child, inherited)
            flat.extend(child.children if isinstance(child, kind) else (child,))
        if kind is Or:
            flat = _merge_optional(_merge_fields(flat))
        elif any(isinstance(c, Not) for c in flat):
            # a AND (b NOT c) == (a AND b) NOT c: hoist every exclusion to the top.
            include = [c.include if isinstance(c, Not) else c for c in flat]
            exclude = [c.exclude for c in flat if isinstance(c, Not)]
            return normalize(Not(And(tuple(include)), Or(tuple(exclude)), span=span))
        unique = list(dict.fromkeys(flat))  # semantic duplicates via __hash__/__eq__
        if len(unique) == 1:
            return unique[0]
        return kind(tuple(unique), span=span)
    if isinstance(node, Not):
        kept = normalize(node.include, inherited)
        dropped = normalize(node.exclude, inherited)
        if isinstance(kept, Not):  # (a NOT b) NOT c == a NOT (b OR c)
            return normalize(Not(kept.include, Or((kept.exclude, dropped)), span=span))
        return Not(kept, dropped, span=span)
    return node


def _merge_fields(children: list[Node]) -> list[Node]:
    """Within an OR, merge the same word (or the same proximity over words) searched in
    several field sets into one node on the union: `a[ti] OR a[ab]` is `a[ti,ab]`."""
    merged: dict[Any, int] = {}
    out: list[Node] = []
    for child in children:
        fields = _uniform_fields(child)
        if fields is not None:
            word = _key(_with_fields(child, None))
            if word in merged:
                at = merged[word]
                prior = _uniform_fields(out[at])
                assert prior is not None
                out[at] = _with_fields(out[at], prior | fields)
                continue
            merged[word] = len(out)
        out.append(child)
    return out


def _uniform_fields(node: Node) -> Fields | None:
    """The one field set of a word, phrase or proximity over words; None otherwise."""
    if isinstance(node, Term | Phrase):
        return node.fields
    if isinstance(node, Near) and all(isinstance(c, Term | Phrase) for c in node.children):
        found = {c.fields for c in node.children}  # type: ignore[attr-defined]
        return found.pop() if len(found) == 1 else None
    return None


def _with_fields(node: Node, fields: Fields | None) -> Node:
    if isinstance(node, Term | Phrase):
        return replace(node, fields=fields)
    assert isinstance(node, Near)
    children = tuple(_with_fields(c, fields) for c in node.children)
    return Near(children, node.distance, node.ordered, None, span=node.span)


def _merge_optional(children: list[Node]) -> list[Node]:
    """Within an OR, `colo?r OR color` is `colo%r` (zero or one character); so for phrases."""

    def key(node: Term | Phrase) -> tuple[str, str, Any]:
        if isinstance(node, Term):
            return ("term", node.text.lower(), (node.fields, node.max_extra))
        return ("phrase", " ".join(node.words).lower(), node.fields)

    out = list(children)
    changed = True
    while changed:
        changed = False
        leaves = {key(c): i for i, c in enumerate(out) if isinstance(c, Term | Phrase)}
        for (kind, text, extra), i in leaves.items():
            for at in (k for k, ch in enumerate(text) if ch == "?"):
                j = leaves.get((kind, text[:at] + text[at + 1 :], extra))
                if j is None:
                    continue
                node = out[i]
                if isinstance(node, Term):
                    merged: Node = replace(node, text=node.text[:at] + "%" + node.text[at + 1 :])
                else:
                    assert isinstance(node, Phrase)
                    joined = " ".join(node.words)
                    merged = replace(
                        node, words=tuple((joined[:at] + "%" + joined[at + 1 :]).split())
                    )
                out = [c for k, c in enumerate(out) if k not in (i, j)] + [merged]
                changed = True
                break
            if changed:
                break
    return out


def _near_as_phrase(children: tuple[Node, ...], distance: int, ordered: bool) -> Phrase | None:
    """`a NEXT b` (ordered, nothing between) over plain words is the phrase "a b"."""
    if not ordered or distance != 0:
        return None
    words: list[str] = []
    fields: set[Fields | None] = set()
    for child in children:
        if isinstance(child, Term) and child.max_extra is None:
            words.append(child.text)
        elif isinstance(child, Phrase):
            words.extend(child.words)
        else:
            return None
        fields.add(child.fields)
    if len(fields) != 1:
        return None
    return Phrase(tuple(words), fields.pop())


def _key(node: Node) -> Any:
    """A hashable structural key of a normalized tree (AND/OR children as sets).

    A proximity is keyed by the set of operand combinations it matches, held in a compact
    canonical form (`_canon`) rather than written out: `a NEAR (b OR c)` and
    `(a NEAR b) OR (a NEAR c)` get the same key, and a proximity over two 30-term OR
    groups costs 60 entries, not 900 expanded proximities.
    """
    if isinstance(node, Term):
        return ("term", node.text.lower(), node.fields, node.max_extra)
    if isinstance(node, Phrase):
        return ("phrase", tuple(w.lower() for w in node.words), node.fields)
    if isinstance(node, Heading):
        return (
            "heading",
            node.term.lower(),
            node.vocabulary,
            node.explode,
            node.major,
            frozenset(s.lower() for s in node.subheadings),
        )
    if isinstance(node, And | Or):
        name = type(node).__name__
        keys: set[Any] = set()
        for child in node.children:
            k = _child_key(child)
            keys.update(k[1] if k[0] == name else (k,))
        if name == "Or":
            keys = _merge_proximities(keys)
            if len(keys) == 1:  # a proximity over an OR group is an OR of proximities
                return next(iter(keys))
        return (name, frozenset(keys))
    if isinstance(node, Not):
        return ("not", _child_key(node.include), _child_key(node.exclude))
    if isinstance(node, Near):
        if node.ordered and node.distance == 0:
            # `(a OR b) NEXT c` is the phrases "a c" OR "b c": the phrase form is the
            # canonical one, so expand (phrases over OR groups stay small).
            for i, child in enumerate(node.children):
                if isinstance(child, Or):
                    parts = tuple(
                        normalize(Near((*node.children[:i], c, *node.children[i + 1 :]), 0, True))
                        for c in child.children
                    )
                    return _key(Or(parts))
        operands = tuple(_alternatives(_child_key(c)) for c in node.children)
        # any order: every order of the operands is matched
        products = [operands] if node.ordered else list(dict.fromkeys(permutations(operands)))
        return ("near", node.distance, node.ordered, len(operands), _canon(products))
    if isinstance(node, Fielded):
        return _key(normalize(node))
    raise TypeError(f"not a search node: {node!r}")


def _child_key(child: Node) -> Any:
    """The key of a node inside a normalized tree, computed once per node and interned."""
    key = child.__dict__.get("_semantic_key")
    if key is None:
        key = _intern(_key(child))
        child.__dict__["_semantic_key"] = key
    return key


#: one object per distinct key: two trees parsed separately then share their keys, and
#: comparing them stops at the first identical subkey instead of walking every path of a
#: strategy whose lines reuse earlier lines (exponential in the depth of reuse otherwise).
_INTERNED: dict[Any, Any] = {}
_INTERN_LIMIT = 500_000


def _intern(key: Any) -> Any:
    if len(_INTERNED) >= _INTERN_LIMIT:  # bounded: interning only saves time, never meaning
        _INTERNED.clear()
    return _INTERNED.setdefault(key, key)


def _alternatives(key: Any) -> frozenset[Any]:
    """The alternatives one proximity operand stands for: an OR's members, else itself."""
    return key[1] if key[0] == "Or" else frozenset((key,))


def _canon(products: list[tuple[frozenset[Any], ...]]) -> frozenset[Any]:
    """Canonical form of the union of products of alternative sets (a relation).

    One operand: the union of its alternatives. More: the first operand's alternatives
    grouped by the canonical form of what may follow each of them, so any two unions of
    products that match the same combinations get the same form, without listing the
    combinations.
    """
    if len(products[0]) == 1:
        return frozenset().union(*(p[0] for p in products))
    following: dict[Any, list[tuple[frozenset[Any], ...]]] = {}
    for product in products:
        rest = product[1:]
        for alternative in product[0]:
            following.setdefault(alternative, []).append(rest)
    grouped: dict[frozenset[Any], set[Any]] = {}
    for alternative, rests in following.items():
        grouped.setdefault(_canon(rests), set()).add(alternative)
    return frozenset((frozenset(firsts), form) for form, firsts in grouped.items())


def _products(form: frozenset[Any], arity: int) -> list[tuple[frozenset[Any], ...]]:
    """The products a canonical form stands for (the inverse of `_canon`, still compact)."""
    if arity == 1:
        return [(form,)]
    return [(firsts, *rest) for firsts, sub in form for rest in _products(sub, arity - 1)]


def _merge_proximities(keys: set[Any]) -> set[Any]:
    """Within an OR, proximities of the same kind are one proximity over their union."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for key in keys:
        if key[0] == "near":
            groups.setdefault(key[1:4], []).append(key)
    if all(len(members) < 2 for members in groups.values()):
        return keys
    out = {k for k in keys if k[0] != "near"}
    for (distance, ordered, arity), members in groups.items():
        if len(members) == 1:
            out.add(members[0])
            continue
        products = [p for key in members for p in _products(key[4], arity)]
        out.add(("near", distance, ordered, arity, _canon(products)))
    return out
