"""The quality appraisal summary of a report: per tool, per domain and item, how many studies got
each answer (n and % of the studies rated on the item), with a 100% stacked bar chart.

The ratings are extraction values of the tools' fields (`litrev.appraisal`): with
`[appraisal] double_rated = true` the reconciled (consensus) values, else the one rater's. A
study is appraised with a tool when it has a value for any of the tool's fields. An item of a
domain that applies to some designs only (MMAT) is "not applicable" to a study whose design is
another, and is not in that item's denominator.

>>> import pandas as pd
>>> from litrev.protocol import parse_protocol
>>> from litrev.appraisal.adopt import codebook_toml
>>> from litrev.appraisal.tools import tool
>>> p = parse_protocol('[review]\\nid="x"\\ntitle="x"\\n[appraisal]\\ntools=["jbi-text-opinion"]\\n'
...                    + codebook_toml(tool("jbi-text-opinion")))
>>> studies = pd.DataFrame({"record_id": [1, 2], "jbi_text_q1": ["Yes", "No"]})
>>> item = appraisal_summary(p, studies).tools[0].items[0]
>>> item.counts, item.percents, item.rated
({'Yes': 1, 'No': 1, 'Unclear': 0, 'Not applicable': 0}, {'Yes': 50, 'No': 50, 'Unclear': 0, 'Not applicable': 0}, 2)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from litrev.appraisal.tools import Tool, tool
from litrev.protocol import Codebook, Protocol
from litrev.store import Store
from litrev.synthesis.tables import is_blank, round_percent

NONE_DONE = "No quality appraisal was done."


@dataclass(frozen=True)
class ItemSummary:
    field: str
    number: str
    domain: str  # the domain's label
    text: str
    answers: list[str]
    counts: dict[str, int]
    percents: dict[str, int]  # of `rated`
    rated: int
    not_rated: int  # appraised studies with no answer to this item
    not_applicable: int  # appraised studies whose design the item's domain does not cover
    other: dict[str, int]  # values that are none of the answers (shown, never dropped)
    overall: bool = False

    @property
    def label(self) -> str:
        return f"{self.number}. {self.text}" if not self.overall else self.text

    def own_answers(self, tool_answers: list[str]) -> str:
        """An item with answers of its own (JBI's overall appraisal): "Include 2 (67%); ..."
        for its row, whose answer columns are the tool's; "" for the others."""
        if self.answers == tool_answers:
            return ""
        return "; ".join(f"{a} {self.counts[a]} ({self.percents[a]}%)" for a in self.answers)


@dataclass(frozen=True)
class ToolSummary:
    name: str
    title: str
    citation: str
    wording_note: str
    answers: list[str]
    appraised: int  # studies with any value of the tool
    studies: int  # included studies
    items: list[ItemSummary]
    designs: dict[str, int] = field(default_factory=dict)  # selector value -> studies
    selector: bool = False  # the tool's design decides which items apply (MMAT)

    @property
    def chart_items(self) -> list[ItemSummary]:
        return [i for i in self.items if not i.overall]


@dataclass(frozen=True)
class AppraisalSummary:
    done: bool
    double_rated: bool
    tools: list[ToolSummary]
    note: str  # what the report says when nothing was appraised

    def as_json(self) -> dict[str, object]:
        """The `results.json` `appraisal` entry."""
        return {
            "done": self.done,
            "double_rated": self.double_rated,
            "note": self.note,
            "tools": [
                {
                    "name": t.name,
                    "title": t.title,
                    "citation": t.citation,
                    "studies": t.studies,
                    "appraised": t.appraised,
                    "designs": t.designs,
                    "items": [
                        {
                            "field": i.field,
                            "number": i.number,
                            "domain": i.domain,
                            "text": i.text,
                            "counts": i.counts,
                            "percent": i.percents,
                            "rated": i.rated,
                            "not_rated": i.not_rated,
                            "not_applicable": i.not_applicable,
                            "other": i.other,
                        }
                        for i in t.items
                    ],
                }
                for t in self.tools
            ],
        }


def _tool_summary(found: Tool, studies: pd.DataFrame) -> ToolSummary:
    def column(name: str) -> list[object]:
        return list(studies[name]) if name in studies.columns else [None] * len(studies)

    names = found.field_names
    columns = {name: column(name) for name in names}
    appraised_rows = [
        i for i in range(len(studies)) if any(not is_blank(columns[n][i]) for n in names)
    ]
    designs: dict[str, int] = {}
    design_of: dict[int, str] = {}
    if found.selector_field:
        for i in appraised_rows:
            value = columns[found.selector_field][i]
            if not is_blank(value):
                design_of[i] = str(value).strip()
                designs[design_of[i]] = designs.get(design_of[i], 0) + 1
    items = []
    for item in found.items:
        domain = found.domain(item.domain)
        name = found.field_name(item)
        counts = dict.fromkeys(item.answers, 0)
        other: dict[str, int] = {}
        not_rated = not_applicable = 0
        for i in appraised_rows:
            value = columns[name][i]
            if is_blank(value):
                design = design_of.get(i)
                if domain.applies_to and design is not None and design not in domain.applies_to:
                    not_applicable += 1
                else:
                    not_rated += 1
                continue
            text = str(value).strip()
            if text in counts:
                counts[text] += 1
            else:
                other[text] = other.get(text, 0) + 1
        rated = sum(counts.values()) + sum(other.values())
        items.append(
            ItemSummary(
                field=name,
                number=item.number,
                domain=domain.label,
                text=item.text,
                answers=list(item.answers),
                counts=counts,
                percents={a: int(round_percent(n, rated)) for a, n in counts.items()},
                rated=rated,
                not_rated=not_rated,
                not_applicable=not_applicable,
                other=other,
                overall=item.overall,
            )
        )
    return ToolSummary(
        name=found.name,
        title=found.title,
        citation=found.citation,
        wording_note=found.wording_note,
        answers=list(found.answers),
        appraised=len(appraised_rows),
        studies=len(studies),
        items=items,
        designs=designs,
        selector=found.selector is not None,
    )


def appraisal_summary(protocol: Protocol, studies: pd.DataFrame) -> AppraisalSummary:
    """The summary of the review's appraisal tools over `studies` (one row per included study,
    with the tools' fields as columns; `appraisal_studies` reads them)."""
    settings = protocol.appraisal
    if not settings.tools:
        note = NONE_DONE
        if protocol.screening.quality_appraisal:
            note = (
                "No appraisal tool is named in [appraisal] tools, so litrev holds no quality "
                "appraisal ([screening] quality_appraisal = true says one was done elsewhere)."
            )
        return AppraisalSummary(False, settings.double_rated, [], note)
    tools = [_tool_summary(tool(name), studies) for name in settings.tools]
    done = any(t.appraised for t in tools)
    note = "" if done else "The appraisal tools are adopted, but no study has been rated yet."
    return AppraisalSummary(done, settings.double_rated, tools, note)


def appraisal_studies(store: Store, protocol: Protocol, studies: pd.DataFrame) -> pd.DataFrame:
    """The included studies' appraisal values: `studies` itself when it was read the way the
    protocol's `[appraisal] double_rated` asks (the consensus for double rating, else the one
    rater's), otherwise the tools' fields read again that way for the same studies."""
    from litrev.extraction import CONSENSUS, studies_frame
    from litrev.synthesis.frequencies import appraisal_field_names

    dual = protocol.extraction.mode == "dual"
    if not protocol.appraisal.tools or protocol.appraisal.double_rated == dual:
        return studies
    names = set(appraisal_field_names(protocol))
    fields = [f for f in protocol.codebook.fields if f.name in names]
    reviewer = CONSENSUS if protocol.appraisal.double_rated else None
    frame = studies_frame(store, Codebook(fields=fields), reviewer=reviewer)
    ids = pd.DataFrame({"record_id": studies["record_id"] if len(studies) else []})
    return ids.merge(frame, on="record_id", how="left")
