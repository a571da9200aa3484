"""Countries as reviews write them (`litrev.extraction.countries`), read offline from pycountry."""

from __future__ import annotations

import pytest

from litrev.extraction.countries import country_names, fold, nearest_country, to_country


@pytest.mark.parametrize(
    ("written", "alpha_2"),
    [
        ("UK", "GB"), ("u.k.", "GB"), ("Great Britain", "GB"), ("Britain", "GB"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
        ("USA", "US"), ("U.S.A.", "US"), ("us", "US"), ("United States of America", "US"),
        ("The Netherlands", "NL"), ("Holland", "NL"), ("NETHERLANDS", "NL"),
        ("South Korea", "KR"), ("Korea, Republic of", "KR"), ("Republic of Korea", "KR"),
        ("North Korea", "KP"), ("Iran", "IR"), ("Islamic Republic of Iran", "IR"),
        ("Russia", "RU"), ("Russian Federation", "RU"), ("Vietnam", "VN"), ("Viet Nam", "VN"),
        ("Taiwan", "TW"), ("Czech Republic", "CZ"), ("Czechia", "CZ"), ("Turkey", "TR"),
        ("Türkiye", "TR"), ("TURKIYE", "TR"), ("Ivory Coast", "CI"), ("Côte d’Ivoire", "CI"),
        ("Cote d'Ivoire", "CI"), ("Hong Kong", "HK"), ("Bolivia", "BO"), ("Tanzania", "TZ"),
        ("Congo", "CG"), ("Democratic Republic of the Congo", "CD"), ("DR Congo", "CD"),
        ("Saint Lucia", "LC"), ("St. Lucia", "LC"), ("Swaziland", "SZ"), ("Burma", "MM"),
        ("NZL", "NZ"), ("de", "DE"), ("  Japan  ", "JP"), ("méxico", "MX"), ("Brazil", "BR"),
    ],
)  # fmt: skip
def test_names_reviews_write(written: str, alpha_2: str) -> None:
    country = to_country(written)
    assert country is not None, written
    assert country.alpha_2 == alpha_2


@pytest.mark.parametrize("part", ["England", "Scotland", "Wales", "Northern Ireland", "england"])
def test_parts_of_the_uk_are_read_as_it_with_a_note(part: str) -> None:
    country = to_country(part)
    assert country is not None
    assert (country.alpha_2, country.name) == ("GB", "United Kingdom")
    assert (
        country.note
        == f"{part.title()} is read as United Kingdom (ISO 3166-1 has no code for {part.title()})"
    )
    assert to_country("UK").note == ""  # type: ignore[union-attr]


def test_stored_names_are_iso_short_names_or_common_forms() -> None:
    assert to_country("GB").name == "United Kingdom"  # type: ignore[union-attr]
    assert to_country("KR").name == "South Korea"  # type: ignore[union-attr]
    assert to_country("NLD").name == "Netherlands"  # type: ignore[union-attr]
    names = country_names()
    assert len(names) == len(set(names)) >= 249
    assert all(to_country(name) is not None for name in names)  # every stored name reads back


def test_unknown_and_ambiguous_names_are_not_guessed() -> None:
    assert to_country("Narnia") is None
    assert to_country("Virgin Islands") is None  # British or U.S.: not guessed
    assert to_country("Europe") is None
    assert to_country("") is None
    assert to_country("xx") is None
    assert nearest_country("Untied Kingdom") == "United Kingdom"
    assert nearest_country("Austrailia") == "Australia"
    assert nearest_country("qqqqqqqqqq") is None


def test_fold_ignores_case_accents_dots_and_the() -> None:
    assert fold("The  U.S.") == "us"
    assert fold("Réunion") == "reunion"
    assert fold("Saint Kitts & Nevis") == "st kitts and nevis"
