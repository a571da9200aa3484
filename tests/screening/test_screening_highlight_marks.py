"""Highlight marks for the screener: the protocol's lists and the strategy's terms, in the core."""

from __future__ import annotations

from litrev.protocol import parse_protocol
from litrev.screening.highlight import Marker, protocol_terms

PROTOCOL = '''
[review]
id = "falls"
title = "Exercise to prevent falls in care homes"

[search]
canonical = """(exercis* OR "tai chi") AND (fall* OR fracture*) NOT (rat OR mice)"""

[screening]
highlight_include = ["care home*", "nursing home*"]
highlight_exclude = ["community-dwelling", "protocol"]
'''


def test_protocol_terms_read_the_canonical_strategy() -> None:
    # A protocol with only [search] canonical used to give no strategy terms at all.
    positive, negative = protocol_terms(parse_protocol(PROTOCOL))
    assert positive == ["exercis*", "tai chi", "fall*", "fracture*"]
    assert negative == ["rat", "mice"]


def test_an_unparsable_canonical_string_is_still_read() -> None:
    text = PROTOCOL.replace('NOT (rat OR mice)"""', 'AND ((("""')
    positive, _ = protocol_terms(parse_protocol(text))
    assert "tai chi" in positive and "exercis*" in positive


def test_marker_from_a_protocol_marks_each_kind() -> None:
    marker = Marker.from_protocol(parse_protocol(PROTOCOL))
    text = "Tai chi for community dwelling adults and nursing homes: falls in rats and mice"
    kinds = [(text[a:b], kind) for a, b, kind in marker.spans(text)]
    assert kinds == [
        ("Tai chi", "strategy"),
        ("community dwelling", "exclude"),
        ("nursing homes", "include"),
        ("falls", "strategy"),
        ("mice", "exclude"),  # a NOT term of the strategy; "rats" is not "rat"
    ]


def test_pieces_rebuild_the_text_and_an_exclusion_mark_wins_a_tie() -> None:
    marker = Marker.of(["trial*"], ["trial protocol"], ["trial"])
    text = "A trial protocol, then a trial, then trials"
    pieces = marker.pieces(text)
    assert "".join(p for p, _ in pieces) == text
    assert [(p, k) for p, k in pieces if k] == [
        ("trial protocol", "exclude"),
        ("trial", "include"),
        ("trials", "include"),
    ]


def test_no_terms_mark_nothing_and_odd_text_is_safe() -> None:
    marker = Marker.of([], [])
    assert marker.spans("anything at all") == []
    # Regex characters in a term are literal: no error, and the text comes back whole.
    odd = Marker.of(["c++", "(a"], ["[x"])
    text = "c++ (a [x ) ] * ?"
    assert "".join(p for p, _ in odd.pieces(text)) == text
    # A term starting or ending with punctuation is found (no word boundary there).
    assert [(p, k) for p, k in odd.pieces(text) if k] == [
        ("c++", "include"),
        ("(a", "include"),
        ("[x", "exclude"),
    ]
    assert Marker.of(["x"], []).pieces("") == []
