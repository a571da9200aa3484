"""PubMed tags and date searches as printed: each read, written back, and translated to Ovid
and one more dialect (meaning kept, or a warning says why not)."""

from __future__ import annotations

import pytest

from litrev.search import (
    TI_AB,
    Field,
    Heading,
    Limit,
    Near,
    SearchSyntaxError,
    Term,
    generate,
    parse,
    translate,
)
from litrev.search.ast import Phrase

F = frozenset

# (PubMed text, tree, PubMed written back, Ovid, Cochrane or None when Cochrane warns)
TAGS = [
    ("therapy[sh]", Term("therapy", F({Field.SUBHEADING})), "therapy[sh]", "therapy.fs.", None),
    (
        '"Neoplasms"[majr:noexp]',
        Heading("Neoplasms", explode=False, major=True),
        '"Neoplasms"[majr:noexp]',
        "*Neoplasms/",
        '[mh ^"Neoplasms" [mj]]',
    ),
    (
        '"Neoplasms"[mh:noexp]',
        Heading("Neoplasms", explode=False),
        '"Neoplasms"[mh:noexp]',
        "Neoplasms/",
        '[mh ^"Neoplasms"]',
    ),
    (
        '"Stroke"[mesh: noexp]',
        Heading("Stroke", explode=False),
        '"Stroke"[mh:noexp]',
        "Stroke/",
        '[mh ^"Stroke"]',
    ),
    (
        '"Neoplasms"[MeSH Terms]',
        Heading("Neoplasms"),
        '"Neoplasms"[mh]',
        "exp Neoplasms/",
        '[mh "Neoplasms"]',
    ),
    ("aspirin[nm]", Term("aspirin", F({Field.SUBSTANCE})), "aspirin[nm]", "aspirin.nm.", None),
    (
        '"X protein"[Supplementary Concept]',
        Phrase(("X", "protein"), F({Field.SUBSTANCE})),
        '"X protein"[nm]',
        '"X protein".nm.',
        None,
    ),
    (
        "review[pt]",
        Term("review", F({Field.PUBLICATION_TYPE})),
        "review[pt]",
        "review.pt.",
        "review:pt",
    ),
    (
        "review[ptyp]",
        Term("review", F({Field.PUBLICATION_TYPE})),
        "review[pt]",
        "review.pt.",
        "review:pt",
    ),
    ("heart[tw]", Term("heart", F({Field.TEXT_WORD})), "heart[tw]", "heart.tw.", None),
    (
        '"heart attack"[tiab:~3]',
        Near((Term("heart"), Term("attack")), 3, fields=TI_AB),
        '"heart attack"[tiab:~3]',
        "(heart adj4 attack).ti,ab.",
        "(heart NEAR/3 attack):ti,ab",
    ),
    (
        '"Anti-Bacterial Agents"[Pharmacological Action]',
        Phrase(("Anti-Bacterial", "Agents"), F({Field.PHARMACOLOGICAL_ACTION})),
        '"Anti-Bacterial Agents"[pa]',
        None,
        None,
    ),
    ("english[la]", Term("english", F({Field.LANGUAGE})), "english[la]", "english.lg.", None),
    (
        "systematic[sb]",
        Term("systematic", F({Field.SUBSET})),
        "systematic[sb]",
        "systematic.sb.",
        None,
    ),
    ("heart[All Fields]", Term("heart", F({Field.ALL})), "heart[all]", "heart.mp.", None),
    ("heart[Title/Abstract]", Term("heart", TI_AB), "heart[tiab]", "heart.ti,ab.", "heart:ti,ab"),
    ("2012*[dp]", Term("2012*", F({Field.PUBLICATION_DATE})), "2012*[dp]", "2012*.yr.", None),
]


@pytest.mark.parametrize(("text", "tree", "pubmed", "ovid", "cochrane"), TAGS)
def test_pubmed_tags_parse_generate_and_translate(text, tree, pubmed, ovid, cochrane) -> None:
    query = parse(text, "pubmed")
    assert query.root == tree
    again = generate(query, "pubmed")
    assert (again.text, again.warnings) == (pubmed, [])
    to_ovid = translate(text, "pubmed", "ovid")
    if ovid is None:
        assert any(w.construct == "field" for w in to_ovid.warnings), to_ovid
    else:
        assert to_ovid.text == ovid and not to_ovid.warnings
        assert parse(to_ovid.text, "ovid").root == tree
    to_cochrane = translate(text, "pubmed", "cochrane")
    if cochrane is None:
        assert any(w.construct == "field" for w in to_cochrane.warnings), to_cochrane
    else:
        assert to_cochrane.text == cochrane


def test_subheading_survives_a_pubmed_round_trip() -> None:
    # [sh] was read as a subject field PubMed has no tag for, and lost on the way back.
    text = '"Neoplasms"[mh] AND therapy[sh]'
    assert translate(text, "pubmed", "pubmed").text == text


# (PubMed date search, limit, Ovid limit item, Embase clause or None when Embase warns)
DATES = [
    ("heart AND 2000:2019[dp]", Limit("date", "2000..2019"), 'yr="2000 - 2019"', "[2000-2019]/py"),
    (
        'heart AND ("2000/01/01"[dp] : "2019/12/31"[dp])',
        Limit("date", "2000-01-01..2019-12-31"),
        'yr="2000 - 2019"',
        "[2000-2019]/py",
    ),
    (
        'heart AND ("2000/01/01"[Date - Publication] : "3000"[Date - Publication])',
        Limit("date", "2000-01-01.."),
        'yr="2000 - current"',
        "[2000-3000]/py",
    ),
    ("heart AND 2019[dp]", Limit("date", "2019..2019"), 'yr="2019 - 2019"', "[2019-2019]/py"),
    (
        'heart AND ("2010/01/01"[edat] : "3000"[edat])',
        Limit("entry_date", "2010-01-01.."),
        "ed=20100101-30001231",
        None,
    ),
    (
        'heart AND ("2000/01/01"[crdt] : "2018/03/04"[crdt])',
        Limit("create_date", "2000-01-01..2018-03-04"),
        "ed=20000101-20180304",
        None,
    ),
    (
        'heart AND ("2008/03/01"[Date - Completion] : "3000"[Date - Completion])',
        Limit("completion_date", "2008-03-01.."),
        None,
        None,
    ),
]


@pytest.mark.parametrize(("text", "limit", "ovid", "embase"), DATES)
def test_pubmed_date_searches_are_limits(text, limit, ovid, embase) -> None:
    query = parse(text, "pubmed")
    assert query.root == Term("heart") and query.limits == (limit,)
    again = generate(query, "pubmed")
    assert parse(again.text, "pubmed") == query and not again.warnings
    to_ovid = translate(text, "pubmed", "ovid")
    if ovid is None:
        assert any(w.construct == "limit" and "dropped" in w.message for w in to_ovid.warnings)
    else:
        assert to_ovid.text.endswith(f"limit 1 to {ovid}")
        assert parse(to_ovid.text, "ovid").limits[0].kind in {limit.kind, "entry_date"}
    to_embase = translate(text, "pubmed", "embase")
    if embase is None:
        assert any(
            w.construct == "limit" and "Embase has no" in w.message for w in to_embase.warnings
        )
    else:
        assert to_embase.text == f"(heart) AND {embase}"


def test_a_date_range_joining_two_date_fields_is_refused() -> None:
    with pytest.raises(SearchSyntaxError, match="two different date fields"):
        parse('heart AND ("2000"[dp] : "2019"[edat])', "pubmed")


def test_filters_line_with_species() -> None:
    q = parse("heart\nFilters: English; Humans; from 2000 - 2019", "pubmed")
    assert set(q.limits) == {
        Limit("language", "English"),
        Limit("species", "Humans"),
        Limit("date", "2000..2019"),
    }
    assert translate("heart\nFilters: Humans", "pubmed", "embase").text == (
        "(heart) AND [humans]/lim"
    )


def test_legacy_history_lines_with_limits_and_glued_labels() -> None:
    text = (
        "#2 Search #1 AND stroke[tiab] Limits: Publication Date from 1996/01/01 to "
        "2008/08/29, English\n#1 Search heart[tiab]\n#3(#2)"
    )
    q = parse(text, "pubmed")
    assert q.root == parse("heart[tiab] AND stroke[tiab]", "pubmed").root
    assert set(q.limits) == {Limit("date", "1996-01-01..2008-08-29"), Limit("language", "English")}


def test_a_tag_after_unquoted_words_applies_to_all_of_them_as_a_phrase() -> None:
    # PubMed help: `kidney allograft[tiab]` searches the phrase; it used to tag the last word.
    assert parse("kidney allograft[tiab]", "pubmed").root == Phrase(("kidney", "allograft"), TI_AB)
    q = parse("OBSTETRIC LABOR, PREMATURE [MeSH terms] OR x[ti]", "pubmed")
    assert Heading("OBSTETRIC LABOR, PREMATURE") in q.root.children  # type: ignore[attr-defined]


def test_printed_history_variants() -> None:
    q = parse("#1 a[ti]\n# 2 b[ti]\n#3 #1 OR #2", "pubmed")
    assert q.root == parse("a[ti] OR b[ti]", "pubmed").root
    assert parse("Motivation* [mesh:no exp]", "pubmed").root == Heading(
        "Motivation*", explode=False
    )
