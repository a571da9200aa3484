"""The typed codebook: country, quote, hierarchical, units, conditions, repeating groups
(`litrev.protocol` validation and `litrev.extraction.codebook` checks), on a falls-prevention
review's codebook (nothing like the built-in example)."""

from __future__ import annotations

import pytest

from litrev.errors import ProtocolError
from litrev.extraction.codebook import (
    applies,
    check_value,
    check_values,
    normalise_value,
    value_notes,
)
from litrev.protocol import Codebook, CodebookField, parse_protocol

HEAD = '[review]\nid = "falls"\ntitle = "Falls prevention"\n'

FALLS = (
    HEAD
    + """
[codebook]
version = "2024-03"

[[codebook.groups]]
name = "outcomes"
label = "Outcomes"
min = 1

[[codebook.fields]]
name = "countries"
type = "country"
multiple = true
required = true

[[codebook.fields]]
name = "design"
type = "choice"
choices = ["RCT", "cluster RCT", "cohort", "qualitative"]
required = true

[[codebook.fields]]
name = "clusters"
type = "integer"
required = true
when = { field = "design", in = ["cluster RCT"] }

[[codebook.fields]]
name = "setting"
type = "hierarchical"
choices = ["Community > Home", "Community > Day centre", "Residential care > Nursing home",
           "Hospital"]

[[codebook.fields]]
name = "home_visits"
type = "integer"
when = { field = "setting", in = ["Community"] }

[[codebook.fields]]
name = "outcome"
group = "outcomes"
required = true

[[codebook.fields]]
name = "measure"
type = "choice"
choices = ["rate ratio", "risk ratio", "mean difference"]
group = "outcomes"

[[codebook.fields]]
name = "effect"
type = "number"
unit = "falls per person-year"
group = "outcomes"
when = { field = "measure", in = ["rate ratio", "mean difference"] }

[[codebook.fields]]
name = "effect_quote"
type = "quote"
group = "outcomes"
"""
)


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    return parse_protocol(FALLS).codebook


def field(codebook: Codebook, name: str) -> CodebookField:
    found = codebook.field(name)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("UK", "United Kingdom"),
        ("U.K.", "United Kingdom"),
        ("great britain", "United Kingdom"),
        ("Scotland", "United Kingdom"),
        ("USA", "United States"),
        ("U.S.", "United States"),
        ("United States of America", "United States"),
        ("The Netherlands", "Netherlands"),
        ("Holland", "Netherlands"),
        ("Korea, Republic of", "South Korea"),
        ("republic of korea", "South Korea"),
        ("Viet Nam", "Vietnam"),
        ("Czech Republic", "Czechia"),
        ("Turkey", "Türkiye"),
        ("turkiye", "Türkiye"),
        ("Ivory Coast", "Côte d'Ivoire"),
        ("cote d'ivoire", "Côte d'Ivoire"),
        ("Hong Kong", "Hong Kong"),
        ("Russia", "Russian Federation"),
        ("BRA", "Brazil"),
        ("jp", "Japan"),
    ],
)
def test_countries_as_reviews_write_them(codebook: Codebook, written: str, stored: str) -> None:
    countries = field(codebook, "countries")
    assert check_value(countries, written) is None
    assert normalise_value(countries, written) == stored


def test_multiple_countries_deduplicated_in_given_order(codebook: Codebook) -> None:
    countries = field(codebook, "countries")
    assert normalise_value(countries, "Japan; UK;england; japan") == "Japan; United Kingdom"
    assert value_notes(countries, "Japan; England") == [
        "England is read as United Kingdom (ISO 3166-1 has no code for England)"
    ]


def test_unknown_country_names_the_nearest(codebook: Codebook) -> None:
    problem = check_value(field(codebook, "countries"), "Japan; Austrailia")
    assert problem is not None
    assert "'Austrailia'" in problem and "did you mean 'Australia'?" in problem
    # Unknown stays as typed in the stored form; the check reports it.
    assert normalise_value(field(codebook, "countries"), "Austrailia") == "Austrailia"


def test_commas_between_countries_are_explained() -> None:
    several = CodebookField(name="where", type="country", multiple=True)
    one = CodebookField(name="where", type="country")
    assert "separate the countries of 'where' with ';'" in str(check_value(several, "UK, Canada"))
    assert "takes one country" in str(check_value(one, "UK, Canada"))
    assert "set multiple = true" in str(check_value(one, "UK; Canada"))
    # A country whose ISO name has a comma is one country.
    assert check_value(one, "Korea, Republic of") is None


def test_hierarchical_codes_any_node_tidied(codebook: Codebook) -> None:
    setting = field(codebook, "setting")
    assert check_value(setting, "Community") is None  # an implied inner node
    assert check_value(setting, "community>home") is None
    assert normalise_value(setting, "community>home") == "Community > Home"
    problem = check_value(setting, "Community > Hostel")
    assert problem is not None and "expected a code of 'Community'" in problem
    assert "did you mean 'Community > Home'?" in problem


def test_number_with_unit_says_to_leave_the_unit_out(codebook: Codebook) -> None:
    effect = field(codebook, "effect")
    assert effect.heading == "effect (falls per person-year)"
    assert check_value(effect, "0.77") is None
    assert "without its unit" in str(check_value(effect, "0.77 falls per person-year"))


def test_old_types_behave_as_before() -> None:
    choice = CodebookField(name="region", type="choice", choices=["Europe", "Asia"])
    assert check_value(choice, "europe") == (
        "expected one of 'Europe', 'Asia' for 'region', got 'europe' (did you mean 'Europe'?)"
    )
    multi = CodebookField(name="design", type="multi_choice", choices=["RCT", "cohort"])
    assert check_value(multi, "RCT; UCLA") is not None
    assert check_value(multi, "RCT;") is None
    assert normalise_value(choice, " Asia ") == "Asia"
    assert normalise_value(CodebookField(name="n", type="integer"), " 12 ") == "12"


def test_conditions_apply_and_flag_values_where_they_do_not(codebook: Codebook) -> None:
    assert applies(codebook, "clusters", {("design", 0): "cluster RCT"})
    assert not applies(codebook, "clusters", {("design", 0): "RCT"})
    assert not applies(codebook, "clusters", {})
    # Hierarchical condition: the node or beneath it.
    assert applies(codebook, "home_visits", {"setting": "Community > Day centre"})
    assert not applies(codebook, "home_visits", {"setting": "Hospital"})
    problems = check_values(codebook, {("design", 0): "RCT", ("clusters", 0): "12"}, complete=False)
    assert problems == {("clusters", 0): "'clusters' applies only when design is cluster RCT"}


def test_complete_requires_applicable_fields_group_rows_and_quote_locations(
    codebook: Codebook,
) -> None:
    values = {
        ("countries", 0): "UK",
        ("design", 0): "cluster RCT",
        ("outcome", 1): "falls",
        ("measure", 1): "rate ratio",
        ("effect", 1): "0.77",
        ("effect_quote", 1): "rate ratio 0.77 (95% CI 0.67 to 0.88)",
        ("measure", 2): "risk ratio",
    }
    problems = check_values(codebook, values, {("effect_quote", 1): ""}, complete=True)
    assert problems == {
        ("clusters", 0): "'clusters' is required but empty",
        ("effect_quote", 1): "'effect_quote' needs the quote's location (a page or section)",
        ("outcome", 2): "'outcome' is required but empty",
    }
    # Partial work (autosave) is not asked for what is missing.
    assert check_values(codebook, values, complete=False) == {}
    # A group with fewer rows than its min.
    only = {("countries", 0): "UK", ("design", 0): "RCT"}
    assert check_values(codebook, only, complete=True) == {
        ("outcomes", 0): "'outcomes' needs at least 1 row, has 0"
    }


def test_instances_unknown_fields_and_locations(codebook: Codebook) -> None:
    problems = check_values(
        codebook,
        {("outcome", 0): "falls", ("design", 2): "RCT", ("desing", 0): "RCT", ("effect", 1): ""},
        {("design", 2): "p. 4"},
        complete=False,
    )
    assert "belongs to the repeating group 'outcomes'" in problems[("outcome", 0)]
    assert "not in a repeating group; it has no row 2" in problems[("design", 2)]
    assert problems[("desing", 0)] == "'desing' is not a codebook field (did you mean 'design'?)"
    assert ("effect", 1) not in problems  # an empty value is absent


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ('name = "a"\ntype = "text"\nunit = "kg"', "unit 'kg' is only for number and integer"),
        (
            'name = "a"\ntype = "choice"\nchoices = ["x"]\nmultiple = true',
            'use type = "multi_choice"',
        ),
        ('name = "a"\ntype = "hierarchical"', "has type 'hierarchical' but no choices"),
        ('name = "a"\ntype = "hierarchical"\nchoices = ["x >  > y"]', "has an empty level"),
        (
            'name = "a"\nwhen = { field = "b", in = ["x"] }',
            "when.field 'b' is not a codebook field",
        ),
        ('name = "a"\ngroup = "rows"', "group 'rows' is not a [[codebook.groups]] name"),
        ('name = "a"\nrenamed_from = ["a"]', "renamed_from names the field itself"),
        ('name = "a"\nwhen = { field = "a", in = ["x"] }', "when.field names the field itself"),
    ],
)
def test_protocol_refuses_bad_field_settings(fields: str, expected: str) -> None:
    with pytest.raises(ProtocolError) as error:
        parse_protocol(f"{HEAD}\n[[codebook.fields]]\n{fields}\n")
    assert expected in str(error.value)


def test_protocol_refuses_bad_codebooks() -> None:
    def problems(body: str) -> str:
        with pytest.raises(ProtocolError) as error:
            parse_protocol(HEAD + body)
        return str(error.value)

    cycle = (
        '[[codebook.fields]]\nname = "a"\ntype = "choice"\nchoices = ["x"]\n'
        'when = { field = "b", in = ["y"] }\n'
        '[[codebook.fields]]\nname = "b"\ntype = "choice"\nchoices = ["y"]\n'
        'when = { field = "a", in = ["x"] }\n'
    )
    assert "conditions form a cycle: a -> b -> a" in problems(cycle)
    other_group = (
        '[[codebook.groups]]\nname = "arms"\n[[codebook.groups]]\nname = "sites"\n'
        '[[codebook.fields]]\nname = "a"\ngroup = "arms"\ntype = "choice"\nchoices = ["x"]\n'
        '[[codebook.fields]]\nname = "b"\ngroup = "sites"\nwhen = { field = "a", in = ["x"] }\n'
    )
    assert "a condition names a field of the same group or one outside any group" in problems(
        other_group
    )
    bad_value = (
        '[[codebook.fields]]\nname = "a"\ntype = "choice"\nchoices = ["x"]\n'
        '[[codebook.fields]]\nname = "b"\nwhen = { field = "a", in = ["z"] }\n'
    )
    assert "when.in ['z'] are not values of 'a'" in problems(bad_value)
    twice = '[[codebook.fields]]\nname = "a"\n[[codebook.fields]]\nname = "a"\n'
    assert "field names must be unique; repeated: ['a']" in problems(twice)
    renamed_live = (
        '[[codebook.fields]]\nname = "a"\n[[codebook.fields]]\nname = "b"\nrenamed_from = ["a"]\n'
    )
    assert "renamed_from 'a' is still a field" in problems(renamed_live)
    grouped_class = (
        '[[codebook.groups]]\nname = "rows"\n[[codebook.fields]]\nname = "kind"\n'
        'type = "choice"\nchoices = ["x"]\ngroup = "rows"\n'
        '[classification]\nfield = "kind"\n[[classification.categories]]\nname = "x"\n'
    )
    assert "belongs to the repeating group 'rows'" in problems(grouped_class)
    extractors = '[extraction]\nextractors = ["ana", "ana", "bo"]\n'
    assert "extraction.extractors" in problems(extractors)
    assert "repeated: ['ana']" in problems(extractors)
    unknown_key = '[[codebook.fields]]\nname = "a"\nwhen = { field = "b", is = ["x"] }\n'
    assert "codebook.fields[1].when" in problems(unknown_key)


def test_when_key_path_named_in_errors() -> None:
    with pytest.raises(ProtocolError) as error:
        parse_protocol(HEAD + '[[codebook.fields]]\nname = "a"\nwhen = { field = "b", in = [] }\n')
    assert "codebook.fields[1].when.in" in str(error.value)


def test_country_conditions_read_names_and_refuse_unknown_ones() -> None:
    body = (
        '[[codebook.fields]]\nname = "where"\ntype = "country"\nmultiple = true\n'
        '[[codebook.fields]]\nname = "nhs_trust"\nwhen = { field = "where", in = ["UK"] }\n'
    )
    codebook = parse_protocol(HEAD + body).codebook
    assert applies(codebook, "nhs_trust", {"where": "Japan; England"})
    assert not applies(codebook, "nhs_trust", {"where": "Japan"})
    with pytest.raises(ProtocolError, match=r"when.in \['Atlantis'\] are not countries"):
        parse_protocol(HEAD + body.replace('in = ["UK"]', 'in = ["Atlantis"]'))


def test_table_rows_and_columns_follow_groups_and_conditions(codebook: Codebook) -> None:
    from litrev.extraction.codebook import check_columns, check_row

    # The main table: group fields are not its columns; a conditional required field that
    # does not apply may be empty, and one with a value where it does not apply is refused.
    assert check_columns(codebook, ["countries", "design", "clusters"]) == []
    assert check_columns(codebook, [], group="outcomes") == [
        "missing column 'outcome' (a required codebook field)"
    ]
    main = {"countries": "UK", "design": "RCT", "clusters": ""}
    assert check_row(codebook, main) == []
    assert check_row(codebook, {**main, "design": "cluster RCT"}) == [
        "'clusters' is required but empty"
    ]
    assert check_row(codebook, {**main, "clusters": "8"}) == [
        "'clusters' applies only when design is cluster RCT"
    ]
    # A group sheet's row: its conditions name fields of the same group.
    row = {"outcome": "falls", "measure": "risk ratio", "effect": "0.8"}
    assert check_row(codebook, row, group="outcomes") == [
        "'effect' applies only when measure is rate ratio or mean difference"
    ]
    assert check_row(codebook, {**row, "measure": "rate ratio"}, group="outcomes") == []
