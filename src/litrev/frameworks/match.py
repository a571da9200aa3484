"""`litrev match`: the catalogue's models that fit a practitioner's initiative, ranked, each with
its reasons.

The score is transparent and deterministic: the TF-IDF cosine between the description and the
study's text facts (scikit-learn, fitted on the catalogue), plus fixed weights for each exact
match: a value of a dimension the review itself coded (the study's category) +0.5, a framework
value whose words the study's text states +0.25 (once per quoted passage), the country +0.25.
Every reason quotes the study fact it rests on; a dimension the data does not code for a study
is empty in `Match.dimensions` and never a reason. Ties are broken by label, then location.

>>> best = match("We co-design a toolkit with users", answers={"seed-model-types": {"model_type": "practice-oriented"}})[0]
>>> best.label, best.category
('Chisholm, 2018', 'practice-oriented')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litrev.errors import InputError
from litrev.frameworks.answers import Initiative, described_values, find_term, parse_answers
from litrev.frameworks.catalogue import (
    Catalogue,
    Framework,
    Study,
    builtin_catalogue,
    framework,
    load_frameworks,
)

CODED_WEIGHT = 0.5
TEXT_WEIGHT = 0.25
COUNTRY_WEIGHT = 0.25
# Below this cosine the shared words are incidental and not given as a reason.
MIN_SIMILARITY = 0.05
SHARED_WORDS = 4
QUOTE_WORDS = 3  # words quoted either side of a matched term

# Names reviews write for the same country (the built-in data says "UK", "US", "The
# Netherlands" and "Netherlands"); the key is what is compared.
_COUNTRY_ALIASES = {
    "uk": (
        "uk",
        "united kingdom",
        "great britain",
        "britain",
        "england",
        "scotland",
        "wales",
        "northern ireland",
    ),
    "us": ("us", "usa", "united states", "united states of america"),
    "netherlands": ("netherlands", "holland"),
}
_ALIAS_KEY = {alias: key for key, names in _COUNTRY_ALIASES.items() for alias in names}


def country_key(name: str) -> str:
    """The comparable form of a country name: case, dots and a leading "the" ignored, aliases
    mapped ("United Kingdom" and "UK" compare equal).

    >>> country_key("The Netherlands") == country_key("Netherlands"), country_key("U.K.")
    (True, 'uk')
    """
    text = " ".join(name.replace(".", "").casefold().split())
    text = text.removeprefix("the ")
    return _ALIAS_KEY.get(text, text)


@dataclass(frozen=True)
class Evidence:
    """One reason's footing: the study fact (column) and the exact text quoted from it."""

    fact: str
    quote: str


@dataclass(frozen=True)
class Match:
    """One catalogue study that fits, with its score and reasons. `facts` are its row's stated
    facts; `dimensions` maps "framework.dimension" to the value the review coded for it, or ''
    when the data does not code it (never guessed)."""

    label: str
    score: float
    reasons: list[str]
    facts: dict[str, str]
    category: str
    location: str
    dimensions: dict[str, str] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)


def _quote(text: str, start: int, end: int) -> str:
    """The matched words with QUOTE_WORDS words either side, exactly as in `text`."""
    words = [m.span() for m in re.finditer(r"\S+", text)]
    first = next(i for i, (s, e) in enumerate(words) if e > start)
    last = max(i for i, (s, e) in enumerate(words) if s < end)
    lo, hi = max(0, first - QUOTE_WORDS), min(len(words) - 1, last + QUOTE_WORDS)
    return text[words[lo][0] : words[hi][1]].strip(" ,;:.")


def _prepare(text: str) -> str:
    # "co-design" and "codesign" are one word for the similarity.
    return re.sub(r"\bco-(?=[a-z])", "co", text.casefold())


def _word_in(token: str, text: str) -> re.Match[str] | None:
    body = re.escape(token)
    if token.startswith("co") and len(token) > 4:
        body = "co-?" + re.escape(token[2:])
    return re.search(rf"\b{body}\b", text, re.IGNORECASE)


def _similarities(description: str, catalogue: Catalogue) -> tuple[list[float], list[list[str]]]:
    """The cosine of the description with each study's text facts, and the shared words (by
    contribution to the cosine, then alphabetically)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [" ".join(s.facts.get(f, "") for f in catalogue.text_fields) for s in catalogue.studies]
    vectorizer = TfidfVectorizer(
        preprocessor=_prepare, stop_words="english", token_pattern=r"(?u)\b[^\W\d_]{3,}\b"
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no study has a word to compare (an empty or stop-word-only catalogue)
        return [0.0] * len(texts), [[] for _ in texts]
    query = vectorizer.transform([description])
    vocabulary = vectorizer.get_feature_names_out()
    scores = (matrix @ query.T).toarray().ravel()
    query_weights = dict(zip(query.indices, query.data, strict=True))
    shared: list[list[str]] = []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        parts = [
            (-(w * query_weights[c]), str(vocabulary[c]))
            for c, w in zip(matrix.indices[start:end], matrix.data[start:end], strict=True)
            if c in query_weights
        ]
        shared.append([word for _, word in sorted(parts)[:SHARED_WORDS]])
    return [float(s) for s in scores], shared


def _framework_of(name: str) -> Framework:
    return framework(name)


def _initiative(
    description: str,
    answers: Mapping[str, Any] | Initiative | None,
    framework_name: str | None,
    country: str | None,
    catalogue: Catalogue,
) -> Initiative:
    given = (
        answers
        if isinstance(answers, Initiative)
        else parse_answers(answers, framework_name=framework_name)
        if answers
        else Initiative()
    )
    scope = (framework(framework_name),) if framework_name else load_frameworks()
    # A dimension the answers give is taken from them alone: the description's words add
    # values only to the dimensions the answers leave out.
    answered = {(f, d) for f, d, _, _ in given.values}
    described = [item for item in described_values(description, scope) if item[:2] not in answered]
    return Initiative(
        values=given.values + tuple(described),
        country=(country or given.country or _described_country(description, catalogue)).strip(),
    )


def _described_country(description: str, catalogue: Catalogue) -> str:
    """A country the description names (a catalogue study's country or an alias, the longest
    name first, as written), or ''."""
    stated = {" ".join(s.facts.get(catalogue.country_field, "").split()) for s in catalogue.studies}
    names = sorted((set(_ALIAS_KEY) | {n for n in stated if n}), key=lambda n: (-len(n), n))
    for alias in names:
        # Capitalised as countries are written: "US", not the word "us"; "Italy"; and not the
        # adjective "international" for a study whose country reads "International".
        wanted = alias.upper() if len(alias) <= 3 else alias[0].upper() + alias[1:]
        if alias in _ALIAS_KEY and len(alias) > 3:
            wanted = alias.title()
        found = re.search(rf"\b{re.escape(wanted)}\b", description)
        if found:
            return found.group(0)
    return ""


def _attribute(fw_name: str, dimension: str, value: str, said: str) -> str:
    where = f"your description: '{said}'" if said else "your answers"
    return f"{dimension} {value} ({fw_name}; {where})"


def _study_reasons(
    study: Study, catalogue: Catalogue, initiative: Initiative
) -> tuple[float, list[str], list[Evidence]]:
    score = 0.0
    reasons: list[str] = []
    evidence: list[Evidence] = []
    by_passage: dict[tuple[str, str], list[str]] = {}
    for fw_name, dim_name, value_name, said in initiative.values:
        attribute = _attribute(fw_name, dim_name, value_name, said)
        coded_fact = catalogue.coded.get(f"{fw_name}.{dim_name}")
        if coded_fact is not None:
            if study.facts.get(coded_fact) == value_name:
                score += CODED_WEIGHT
                listed = f"listed in {study.category_table}" if study.category_table else "coded"
                reasons.append(
                    f"{attribute}: the study is {listed} as '{value_name}' ({study.category_label})"
                )
                evidence.append(Evidence(coded_fact, value_name))
            continue
        value = _framework_of(fw_name).dimension(dim_name).value(value_name)
        assert value is not None  # parse_answers and described_values give known values
        for fact in catalogue.term_fields:
            text = study.facts.get(fact, "")
            hit = find_term(value, text)
            if hit:
                quote = _quote(text, hit.start(), hit.end())
                by_passage.setdefault((fact, quote), []).append(attribute)
                break
    for (fact, quote), attributes in by_passage.items():
        score += TEXT_WEIGHT
        reasons.append(f"{'; '.join(attributes)}: the study's {fact} text says '{quote}'")
        evidence.append(Evidence(fact, quote))
    if initiative.country:
        stated = study.facts.get(catalogue.country_field, "")
        if stated and country_key(stated) == country_key(initiative.country):
            score += COUNTRY_WEIGHT
            label = catalogue.field_labels.get(catalogue.country_field, catalogue.country_field)
            reasons.append(f"country {initiative.country} matches the study's {label} '{stated}'")
            evidence.append(Evidence(catalogue.country_field, stated))
    return score, reasons, evidence


def match(
    description: str,
    *,
    answers: Mapping[str, Any] | Initiative | None = None,
    catalogue: Catalogue | None = None,
    top: int = 5,
    framework: str | None = None,
    country: str | None = None,
) -> list[Match]:
    """The `top` catalogue studies that best fit an initiative described in words and/or by
    framework answers (see `litrev.frameworks.answers`), best first; only studies with a reason.

    `InputError` when there is nothing to match (an empty description and no answers) or `top`
    is below 1; `LitrevError` for an unknown framework.

    >>> [m.label for m in match("collective co-production", framework="bovaird-2016", top=2)]
    ['Bovaird, 2016', 'Pestoff, 2014']
    """
    if top < 1:
        raise InputError("--top", f"expected a number of models of at least 1, got {top}")
    if not description.strip() and not answers and not country:
        raise InputError(
            "description",
            "empty: describe your initiative in words, or give framework answers (--answers FILE.toml)",
        )
    catalogue = catalogue or builtin_catalogue()
    initiative = _initiative(description, answers, framework, country, catalogue)
    similarity, shared = (
        _similarities(description, catalogue)
        if description.strip() and catalogue.studies
        else ([0.0] * len(catalogue.studies), [[] for _ in catalogue.studies])
    )
    dimension_keys = [
        (f"{fw.name}.{d.name}", catalogue.coded.get(f"{fw.name}.{d.name}"))
        for fw in load_frameworks()
        for d in fw.dimensions
    ]
    found = []
    for study, cosine, words in zip(catalogue.studies, similarity, shared, strict=True):
        score, reasons, evidence = _study_reasons(study, catalogue, initiative)
        if cosine >= MIN_SIMILARITY:
            quoted = []
            for word in words:
                for fact in catalogue.text_fields:
                    hit = _word_in(word, study.facts.get(fact, ""))
                    if hit:
                        quoted.append(f"'{hit.group(0)}'")
                        evidence.append(Evidence(fact, hit.group(0)))
                        break
            if quoted:
                score += cosine
                reasons.insert(
                    0,
                    f"text similarity {cosine:.2f}: words of your description in the study's "
                    f"{' and '.join(catalogue.text_fields)}: {', '.join(quoted)}",
                )
        if not reasons:
            continue
        found.append(
            Match(
                label=study.label,
                score=round(score, 4),
                reasons=reasons,
                facts=dict(study.facts),
                category=study.category,
                location=study.location,
                dimensions={
                    key: study.facts.get(fact, "") if fact else "" for key, fact in dimension_keys
                },
                evidence=evidence,
            )
        )
    found.sort(key=lambda m: (-m.score, m.label, m.location))
    return found[:top]
