"""The catalogue and the gap map's filters leave out the fields of an adopted appraisal tool:
practitioners filter by what the studies are, not by their quality ratings. The ratings stay
catalogue fields: shown, exported, and filterable by name."""

from __future__ import annotations

from pathlib import Path

from litrev.appraisal.adopt import adopt
from litrev.protocol import load_protocol
from litrev.synthesis.maps.catalogue import Catalogue, StudyRow
from litrev.synthesis.maps.gapmap import build_gapmap
from litrev.synthesis.maps.gapmap_html import map_data

PROTOCOL = """
[review]
id = "loneliness-befriending"
title = "Befriending schemes for older people living alone"

[codebook]
[[codebook.fields]]
name = "scheme"
type = "choice"
choices = ["telephone", "face to face", "group"]

[[codebook.fields]]
name = "nation"
label = "Country"
"""
STUDIES = [
    (21, "telephone", "Wales", "Yes", "No"),
    (22, "group", "Ireland", "Yes", "Unclear"),
    (23, "telephone", "Wales", "No", "Yes"),
]


def catalogue(tmp_path: Path) -> tuple[Catalogue, list[str]]:
    path = tmp_path / "litrev.toml"
    path.write_text(PROTOCOL, encoding="utf-8")
    added = adopt("jbi-cross-sectional", path)  # what `litrev appraisal adopt` does
    protocol = load_protocol(path)
    first, second = added[0], added[1]
    rows = [
        StudyRow(rid, f"S{rid}", (f"A{rid}",), 2015 + rid % 3, None, None, None, values)
        for rid, scheme, nation, a, b in STUDIES
        for values in [{"scheme": scheme, "nation": nation, first: a, second: b}]
    ]
    return Catalogue.from_rows(protocol, rows), added


def test_appraisal_fields_are_no_facets_but_stay_in_the_catalogue(tmp_path: Path) -> None:
    c, added = catalogue(tmp_path)
    faceted = [f.field.name for f in c.facets(c.parse_filters([]))]
    assert faceted == ["scheme", "nation"]  # the study features only
    assert {f.name for f in c.fields} >= {"scheme", "nation", *added}
    assert not any(c.field(name).facet for name in added)  # type: ignore[union-attr]
    # A link naming a rating still filters (the catalogue just does not offer it).
    rated = c.parse_filters([(added[0], "Yes")])
    assert [s.record_id for s in c.select(rated)] == [21, 22]
    # ... and shows its counts while it is chosen, so the choice can be undone.
    assert [f.field.name for f in c.facets(rated)] == ["scheme", "nation", added[0]]
    columns = c.export_columns(c.studies)[23]
    assert (f"coded_{added[0]}", "No") in columns and (f"coded_{added[1]}", "Yes") in columns


def test_the_gap_map_offers_no_appraisal_filter(tmp_path: Path) -> None:
    c, added = catalogue(tmp_path)
    data = map_data(build_gapmap(c, rows="scheme", cols="nation"), c, title="Map")
    assert [f["name"] for f in data["filters"]] == ["scheme", "nation"]
    assert not set(added) & set(data["studies"][0]["values"])
