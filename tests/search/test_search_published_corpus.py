"""Real published search strategies (tests/search/data/published, sources in SOURCES.md).

Every strategy is read in the dialect of its folder in under a second, translated to PubMed
and back, and must keep its meaning (semantic equality of the trees) unless a translation
warning says what was not kept. A strategy litrev cannot read yet is a strict xfail keyed to
an entry of FAILURES.md, so that the fix makes it pass and forces the entry's removal; a
strategy whose published text is itself malformed must be refused with a line and column.

The last tests build large synthetic strategies (300 lines, proximity over 30-term OR
groups, long chains of line references) and check the tree they give, not the time.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from litrev.search import generate, parse
from litrev.search.ast import And, Near, Node, Not, Or, Phrase, Query, Term, normalize, semantic_key
from litrev.search.errors import SearchSyntaxError

ROOT = Path(__file__).parent / "data" / "published"
EXPECTED = tomllib.loads((ROOT / "expected.toml").read_text("utf-8"))
FAILURES = (ROOT / "FAILURES.md").read_text("utf-8")
# Parse and translate speed on this corpus is measured by benchmarks/search/bench_strategies.py,
# not asserted here (a timed assertion fails on a busy machine and proves nothing).

#: words that are syntax the reader failed to recognise (a field code, a line combination,
#: a history prefix or a limit clause read as a search word)
SUSPICIOUS = re.compile(
    r"(?i)^(?:(?:or|and|not)/[\d,\s-]+|[#?%]\s*\d+\.?|#|limits?:?|\[?mp=.*|search:?"
    r"|.*\.(?:ti|ab|tw|mp|sh|pt|fs|kf|af|ot|nm)\.?|\S*\[[a-z ]+\]?|\(|\))$"
)


def _strategies() -> list:
    cases = []
    for path in sorted(ROOT.glob("*/*.txt")):
        key = f"{path.parent.name}/{path.name}"
        marks = []
        if key in EXPECTED.get("xfail", {}):
            code = EXPECTED["xfail"][key]
            assert f"## {code} " in FAILURES, f"{key}: {code} is not an entry of FAILURES.md"
            title = FAILURES.split(f"## {code} ", 1)[1].splitlines()[0]
            marks.append(pytest.mark.xfail(strict=True, reason=f"FAILURES.md {code}: {title}"))
        cases.append(pytest.param(path, id=key, marks=marks))
    return cases


CASES = _strategies()


def _leaves(node: Node) -> list[Node]:
    """Every word and phrase of a tree, each shared subtree (a reused line) visited once."""
    out: list[Node] = []
    seen: set[int] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, Term | Phrase):
            out.append(item)
        elif isinstance(item, Not):
            stack.extend((item.exclude, item.include))
        elif isinstance(item, And | Or | Near):
            stack.extend(reversed(item.children))
        elif isinstance(getattr(item, "child", None), Node):
            stack.append(item.child)  # type: ignore[attr-defined]
    return out


def _leaked_syntax(query: Query) -> list[str]:
    words: list[str] = []
    for leaf in _leaves(query.root):
        words.extend([leaf.text] if isinstance(leaf, Term) else list(leaf.words))
    return [w for w in words if SUSPICIOUS.match(w)]




def test_the_corpus_is_large_and_has_four_printed_forms() -> None:
    by_dialect: dict[str, int] = {}
    for path in ROOT.glob("*/*.txt"):
        by_dialect[path.parent.name] = by_dialect.get(path.parent.name, 0) + 1
    assert sum(by_dialect.values()) >= 150, by_dialect
    assert len(by_dialect) >= 4, by_dialect
    sources = (ROOT / "SOURCES.md").read_text("utf-8")
    missing = [
        f"{p.parent.name}/{p.name}"
        for p in ROOT.glob("*/*.txt")
        if f"`{p.parent.name}/{p.name}`" not in sources
    ]
    assert not missing, f"no SOURCES.md line for {missing}"


def test_every_expectation_names_a_file_of_the_corpus() -> None:
    names = {f"{p.parent.name}/{p.name}" for p in ROOT.glob("*/*.txt")}
    for table in ("xfail", "refuse"):
        assert set(EXPECTED.get(table, {})) <= names, table
    assert not set(EXPECTED.get("xfail", {})) & set(EXPECTED.get("refuse", {}))


@pytest.mark.parametrize("path", CASES)
def test_published_strategy_parses_and_round_trips_through_pubmed(path: Path) -> None:
    dialect = path.parent.name
    text = path.read_text("utf-8")
    key = f"{dialect}/{path.name}"
    if key in EXPECTED.get("refuse", {}):
        # The published text is malformed: litrev must say where, not guess.
        with pytest.raises(SearchSyntaxError) as caught:
            parse(text, dialect)
        assert caught.value.line >= 1 and caught.value.column >= 1
        return
    query = parse(text, dialect)
    assert not _leaked_syntax(query), "syntax read as search words"

    to_pubmed = generate(query, "pubmed")
    in_pubmed = parse(to_pubmed.text, "pubmed")
    back = generate(in_pubmed, dialect)
    again = parse(back.text, dialect)

    lost = [*to_pubmed.warnings, *back.warnings]
    for warning in lost:
        assert warning.construct and warning.message
    if not to_pubmed.warnings:
        assert in_pubmed == query, "meaning changed in PubMed without a warning"
    if not lost:
        assert again == query, f"meaning changed on the way back to {dialect} without a warning"


# -- large synthetic strategies: correctness at a size where cost used to explode ----------


def _ovid_strategy(proximity_lines: int, terms: int, word_lines: int = 0, distance: int = 3) -> str:
    """A numbered Ovid strategy: `proximity_lines` lines `((a1 or ... or aN) adjD (b1 or ...
    or bN)).ti,ab.`, then `word_lines` one-word lines, then a chain of combining lines, each
    ANDing or ORing the line before it with the next search line (so the tree is as deep as
    the strategy is long)."""
    out = []
    for i in range(1, proximity_lines + 1):
        a = " or ".join(f"l{i}a{j}*" for j in range(terms))
        b = " or ".join(f"l{i}b{j}" for j in range(terms))
        out.append(f"{i} (({a}) adj{distance} ({b})).ti,ab.")
    searches = proximity_lines + word_lines
    for i in range(proximity_lines + 1, searches + 1):
        out.append(f"{i} w{i}$.ti,ab.")
    prev = 1
    for i in range(2, searches + 1):
        op = "and" if i % 2 else "or"
        out.append(f"{searches + i - 1} {prev} {op} {i}")
        prev = searches + i - 1
    return "\n".join(out)


def _operands(node: Node) -> list[list[str]]:
    assert isinstance(node, Near)
    groups = []
    for child in node.children:
        members = child.children if isinstance(child, Or) else (child,)
        groups.append(sorted(m.text for m in members if isinstance(m, Term)))
    return groups


def test_a_300_line_ovid_strategy_with_proximity_over_30_term_groups_is_read_exactly() -> None:
    text = _ovid_strategy(100, 30, word_lines=50)  # 150 search lines, 149 combining lines
    assert text.count("\n") + 1 == 299
    query = parse(text, "ovid")
    nears: list[Near] = []
    stack: list[Node] = [normalize(query.root)]
    while stack:
        node = stack.pop()
        if isinstance(node, Near):
            nears.append(node)
        elif isinstance(node, And | Or):
            stack.extend(node.children)
        elif isinstance(node, Not):
            stack.extend((node.include, node.exclude))
    assert len(nears) == 100
    first = next(n for n in nears if _operands(n)[0][0].startswith("l1a"))
    assert first.distance == 2 and not first.ordered  # adj3: two words between, any order
    assert _operands(first) == [
        sorted(f"l1a{j}*" for j in range(30)),
        sorted(f"l1b{j}" for j in range(30)),
    ]
    # the tree survives a translation that keeps OR groups inside proximity ...
    embase = generate(query, "embase")
    assert not embase.warnings
    assert parse(embase.text, "embase") == query
    # ... and equality still tells one changed term apart
    changed = parse(text.replace("l75b29)", "l75b29x)"), "ovid")
    assert changed != query


def test_proximity_over_or_groups_equals_its_distributed_form_without_expanding_it() -> None:
    a = [Term(f"a{j}") for j in range(30)]
    b = [Term(f"b{j}") for j in range(30)]
    grouped = Near((Or(tuple(a)), Or(tuple(b))), 2)
    distributed = Or(tuple(Near((x, y), 2) for x in a for y in b))
    assert grouped == distributed
    assert hash(grouped) == hash(distributed)
    partial = Or(tuple(Near((x, y), 2) for x in a for y in b if (x, y) != (a[3], b[7])))
    assert partial != grouped
    ordered = Near((Or(tuple(a)), Or(tuple(b))), 2, ordered=True)
    reversed_order = Or(tuple(Near((y, x), 2, ordered=True) for x in a for y in b))
    assert ordered != reversed_order


def test_a_deep_chain_of_line_references_is_read_compared_and_translated() -> None:
    # Each line refers to the one before: a tree 400 levels deep sharing every subtree.
    lines = ["1 (heart or cardiac) adj3 (attack* or failure*).ti,ab."]
    for i in range(2, 401):
        lines.append(f"{i} {i - 1} or w{i}.ti.")
    query = parse("\n".join(lines), "ovid")
    assert Query(query.root) == parse("\n".join(lines), "ovid")
    translated = generate(query, "pubmed")
    assert parse(translated.text, "pubmed") is not None
    words = {leaf.text for leaf in _leaves(query.root) if isinstance(leaf, Term)}
    assert {f"w{i}" for i in range(2, 401)} <= words


# -- cost as counted operations (machine-independent): each fails on the code before the fix --


def _calls(action, *names: str) -> Counter[str]:
    """How many times the Python functions (or builtin methods) called `names` run."""
    counts: Counter[str] = Counter()
    wanted = set(names)

    def profile(frame, event, arg):  # type: ignore[no-untyped-def]
        if event == "call" and frame.f_code.co_name in wanted:
            counts[frame.f_code.co_name] += 1
        elif event == "c_call" and getattr(arg, "__name__", "") in wanted:
            counts[arg.__name__] += 1

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return counts


def _chain(lines: int) -> str:
    """Each line uses the line before it and adds a word: a tree as deep as the strategy."""
    out = ["1 (heart or cardiac) adj3 (attack* or failure*).ti,ab."]
    for i in range(2, lines + 1):
        out.append(f"{i} {i - 1} {'and' if i % 2 else 'or'} w{i}.ti.")
    return "\n".join(out)


def test_equality_normalises_each_node_once() -> None:
    # Before: every level normalised and hashed everything below it again, so the work
    # doubled with each level of line references (24 levels: millions of calls).
    text = _chain(24)
    calls = _calls(lambda: parse(text, "ovid") == parse(text, "ovid"), "_normalize")
    assert calls["_normalize"] < 40 * 24, calls


def test_the_tokenizer_skips_the_blanked_rest_of_the_strategy_in_one_step() -> None:
    # Before: each numbered line was tokenized inside the whole strategy blanked out, one
    # space at a time: calls grew as lines x length.
    text = _ovid_strategy(10, 5, word_lines=190)
    calls = _calls(lambda: parse(text, "ovid"), "isspace")
    assert calls["isspace"] < 2 * len(text), (calls, len(text))  # before: ~lines x length


def test_the_misplaced_limit_check_does_not_walk_earlier_lines_again() -> None:
    text = _ovid_strategy(10, 5, word_lines=190)  # 200 search lines, 199 combining lines
    calls = _calls(lambda: parse(text, "ovid"), "misplaced")
    assert calls["misplaced"] < 10 * 400, calls


def test_the_generator_collects_leaf_fields_once_per_node() -> None:
    query = parse(_chain(150), "ovid")
    calls = _calls(lambda: generate(query, "embase"), "leaf_fields")
    assert calls["leaf_fields"] < 30 * 150, calls


def _reused_chain(lines: int) -> str:
    """Each line uses the two lines before it: line k appears under lines k+1 and k+2, so
    the strategy, written out without line numbers, doubles in size with every two lines."""
    out = ["1 (heart or cardiac) adj3 (attack* or failure*).ti,ab.", "2 (stroke* or cva).ti,ab."]
    for i in range(3, lines + 1):
        out.append(f"{i} ({i - 1} or w{i}.ti.) and ({i - 2} or v{i}.ab.)")
    return "\n".join(out)


def test_a_strategy_reusing_earlier_lines_keeps_them_shared_when_read() -> None:
    # Before: moving line limits rebuilt the tree everywhere a line was used, turning a
    # 60-line strategy into a tree of 2^30 nodes (and every later step with it).
    text = _reused_chain(60)
    calls = _calls(lambda: parse(text, "ovid"), "lift")
    assert calls["lift"] < 20 * 60, calls
    query = parse(text, "ovid")
    words = {leaf.text for leaf in _leaves(query.root) if isinstance(leaf, Term)}
    assert {"w60", "v60", "w3", "v3", "cva"} <= words


def test_two_readings_of_a_strategy_share_one_semantic_key() -> None:
    # Keys are interned, so comparing two separately parsed trees stops at the first
    # shared subkey instead of walking every path through the reused lines.
    text = _reused_chain(60)
    first, second = parse(text, "ovid"), parse(text, "ovid")
    assert semantic_key(first.root) is semantic_key(second.root)
    assert first == second
    assert parse(text.replace("w7.ti.", "w7x.ti."), "ovid") != first
