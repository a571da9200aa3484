"""Writing a review's report: `report.html`, `report.md`, `prisma.svg`, `results.json` and the
PRISMA 2020 and PRISMA-S checklists (`checklist-*.md`, `checklist-*.docx`).

>>> import tempfile
>>> from litrev.project import Project
>>> project = Project.init(tempfile.mkdtemp())
>>> sorted(p.name for p in write_report(project).values())  # doctest: +NORMALIZE_WHITESPACE
['checklist-prisma-s.docx', 'checklist-prisma-s.md', 'checklist-prisma2020.docx',
 'checklist-prisma2020.md', 'prisma.svg', 'report.html', 'report.md', 'results.json']

Charts (`chart-NAME.svg`, beside `report.md`) are written when there is something to draw.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

import litrev
from litrev.fileio import atomic_output
from litrev.project import Project, atomic_write_text
from litrev.synthesis.charts import (
    Rendered,
    appraisal_figure,
    category_figure,
    frequency_figure,
    stacked_figure,
    timeline_figure,
)
from litrev.synthesis.charts import render as render_chart
from litrev.synthesis.frequencies import ROUNDING_NOTE
from litrev.synthesis.prisma.diagram import flow_diagram_svg
from litrev.synthesis.prisma.flow_checks import failing_equations
from litrev.synthesis.report.audit import UNVERIFIABLE
from litrev.synthesis.report.display import DisplayLabels, hits_text
from litrev.synthesis.report.markdown import MarkdownSafe, fenced, md_finalize
from litrev.synthesis.report.parts import crosstab_specs
from litrev.synthesis.report.results import Results, compute_results
from litrev.synthesis.report.search_notes import StrategyReport, strategy_report

OTHER_ROWS = [
    ("identified", "Records identified via other methods"),
    ("also_in_databases", "Also found by databases (removed as duplicates)"),
    ("title_abstract_excluded", "Excluded at title/abstract"),
    ("reports_sought", "Reports sought for retrieval"),
    ("reports_not_retrieved", "Reports not retrieved"),
    ("full_text_assessed", "Reports assessed for eligibility"),
    ("full_text_excluded", "Reports excluded"),
    ("included", "Studies included via other methods"),
]
FLOW_ROWS = [
    ("identified", "Records identified from databases and registers"),
    ("duplicates_removed", "Duplicate records removed"),
    ("automation_removed", "Records marked ineligible by automation tools"),
    ("other_removed", "Records removed for other reasons"),
    ("records_screened", "Records screened"),
    ("title_abstract_excluded", "Records excluded"),
    ("reports_sought", "Reports sought for retrieval"),
    ("reports_not_retrieved", "Reports not retrieved"),
    ("full_text_assessed", "Reports assessed for eligibility"),
    ("full_text_excluded", "Reports excluded"),
    ("included", "Studies included in review"),
]


def _environment(markdown: bool = False) -> Environment:
    if markdown:
        # Every value is escaped for Markdown unless a filter marked it as already safe.
        return Environment(
            loader=PackageLoader("litrev.synthesis", "templates"),
            autoescape=False,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            finalize=md_finalize,
        )
    return Environment(
        loader=PackageLoader("litrev.synthesis", "templates"),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )


def _charts(results: Results) -> dict[str, Rendered]:
    """{name: SVG and PNG} of every chart with something to draw."""
    # Charts show labels, as the tables do (results.json keeps the names).
    protocol = results.project.protocol
    labels = DisplayLabels(protocol)
    columns = {spec.name: spec.column for spec in crosstab_specs(protocol)}
    counts = [replace(c, name=labels.category(c.name)) for c in results.categories]
    # Each figure is rendered (and closed) as soon as it is drawn: a review may have dozens.
    figures = {"categories": render_chart(category_figure(counts))}
    for name, shown in results.tables.items():
        title = results.table_titles.get(name, name)
        field = columns.get(name, "")
        table = shown.set_axis([labels.value(field, col) for col in shown.columns], axis=1)
        if name in results.ordered_tables:
            figures[name] = render_chart(stacked_figure(table, title, horizontal=False))
        else:
            figures[name] = render_chart(stacked_figure(table, title, top=15))
    coded = results.coded
    if coded is not None:
        for freq in coded.frequencies:
            rows = [(r.value, r.n, r.percent) for r in freq.rows]
            figures[f"frequency-{freq.field}"] = render_chart(frequency_figure(rows, freq.title))
        if coded.timeline is not None:
            figure = timeline_figure(coded.timeline.table, coded.timeline.title)
            figures["timeline"] = render_chart(figure)
        for summary in coded.appraisal.tools:
            items = [(i.label, {**i.counts, **i.other}) for i in summary.chart_items]
            answers = [*summary.answers, *sorted({a for i in summary.chart_items for a in i.other})]
            figure = appraisal_figure(items, answers, summary.title)
            figures[f"appraisal-{summary.name}"] = render_chart(figure)
    return {name: chart for name, chart in figures.items() if chart is not None}


def chart_file(name: str, suffix: str = ".svg") -> str:
    """The file name a chart is written to beside `report.md` (`.png` beside it, 300 dpi).

    >>> chart_file("year_by_category"), chart_file("timeline", ".png")
    ('chart-year_by_category.svg', 'chart-timeline.png')
    """
    return f"chart-{name}{suffix}"


def render(
    results: Results,
    data: dict[str, Any],
    prisma_svg: str,
    strategies: StrategyReport,
    charts: dict[str, str] | None = None,
) -> tuple[str, str]:
    """The HTML and Markdown reports as strings (`charts`: {name: SVG}, drawn when None)."""
    protocol = results.project.protocol
    flow = results.flow
    if charts is None:
        charts = {name: chart.svg for name, chart in _charts(results).items()}
    coded = results.coded
    themes = coded.themes if coded is not None else None
    context = {
        "version": litrev.__version__,
        "review": protocol.review,
        "generated_on": results.generated_on.isoformat(),
        "results": data,
        "flow": data["flow"],
        "flow_rows": FLOW_ROWS,
        "other_rows": OTHER_ROWS,
        "other_present": flow.other.present,
        "reason_label": flow.label,
        "progress": _progress(results),
        "headline": _headline(results),
        "labels": DisplayLabels(protocol),
        "hits_text": hits_text,
        "journals_round": not results.claims,
        "crosstab_columns": {spec.name: spec.column for spec in crosstab_specs(protocol)},
        "failing": [e.explanation() for e in failing_equations(flow)],
        "unmatched": [m.message() for m in flow.unmatched_sources],
        "categories": results.categories,
        "tables": results.tables,
        "table_titles": results.table_titles,
        "charts": charts,
        "chart_file": chart_file,
        "citations": results.citations,
        "agreement": results.agreement,
        "extraction_mode": results.extraction_mode,
        "unreconciled": results.unreconciled,
        "audit": results.mismatches,
        "checks": results.audit,
        # Claims only: a PRISMA step without its counts is listed in `checks`, not here.
        "unverifiable": [
            e for e in results.audit if e.status == UNVERIFIABLE and e.kind == "claim"
        ],
        "claims_count": len(results.claims),
        "supplementary": results.supplementary,
        "search": protocol.search,
        "searches": protocol.searches,
        "search_notes": strategies.notes,
        "generated": strategies.generated,
        "eligibility": protocol.eligibility,
        "themes": protocol.themes,
        "prisma_svg": prisma_svg,
        "frequencies": coded.frequencies if coded is not None else [],
        "timeline": coded.timeline if coded is not None else None,
        "appraisal": coded.appraisal if coded is not None else None,
        "theme_section": themes,
        "theme_references": _theme_references(results),
        "rounding_note": ROUNDING_NOTE,
        "study_label": {c["record_id"]: c["label"] for c in results.citations},
    }
    html = _environment().get_template("report.html.j2").render(**context)
    md_env = _environment(markdown=True)
    md_env.filters["fenced"] = fenced
    md_env.filters["raw"] = MarkdownSafe
    markdown = md_env.get_template("report.md.j2").render(**context)
    return html, markdown


def _theme_references(results: Results) -> list[dict[str, Any]]:
    """The themes' reference list in citation order: the report's citation entries."""
    if results.coded is None:
        return []
    entries = {c["record_id"]: c for c in results.citations}
    return [entries[r] for r in results.coded.themes.references if r in entries]


def _headline(results: Results) -> dict[str, str]:
    """The report head's counts as words: included studies (with how many have extracted data
    when that differs from PRISMA's included) and records screened (decided and awaiting while
    screening is open), so they agree with the PRISMA boxes and `litrev screening status`."""
    flow = results.flow
    extracted = len(results.studies)
    included = flow.included.value
    reconciled = (
        "a reconciled extraction" if results.extraction_mode == "dual" else "extracted data"
    )
    if included is not None and included != extracted:
        studies = f"{included:,}", f"included studies ({extracted:,} with {reconciled})"
    else:
        studies = f"{extracted:,}", "included studies"
    screened = flow.records_screened.value
    out = {"studies_n": studies[0], "studies": studies[1], "screened_n": "", "screened": ""}
    if screened is not None:
        out["screened_n"] = f"{screened:,}"
        pending = flow.progress.title_abstract_pending + flow.other.progress.title_abstract_pending
        out["screened"] = "screened"
        if pending and pending <= screened:
            out["screened"] = f"screened ({screened - pending:,} decided, {pending:,} awaiting)"
    return out


def _progress(results: Results) -> list[str]:
    """What is still open, one sentence per stage; empty for a finished review."""
    flow = results.flow
    p, o = flow.progress, flow.other.progress
    lines = []
    ta, ft = (
        p.title_abstract_pending + o.title_abstract_pending,
        p.full_text_pending + o.full_text_pending,
    )
    ta_c = p.title_abstract_conflicts + o.title_abstract_conflicts
    ft_c = p.full_text_conflicts + o.full_text_conflicts
    screened = flow.records_screened.value
    if ta and screened is not None and ta <= screened:
        # "Records screened" counts every record in title/abstract screening, decided or not;
        # `litrev screening status` counts the decided ones: say both.
        lines.append(
            f"Title/abstract screening: records screened n = {screened:,} ({screened - ta:,}"
            f" decided, {ta:,} awaiting a final decision; {ta_c:,} open conflict(s))."
        )
    elif ta:
        lines.append(
            f"Title/abstract screening: {ta:,} record(s) without a final decision"
            f" ({ta_c:,} open conflict(s))."
        )
    if ft:
        lines.append(
            f"Full-text screening: {ft:,} report(s) without a final decision"
            f" ({ft_c:,} open conflict(s))."
        )
    if results.unreconciled:
        lines.append(
            f"Extraction: {len(results.unreconciled):,} record(s) extracted by reviewers but "
            "without a reconciled (consensus) extraction; the tables leave them out."
        )
    return lines


def write_report(
    project: Project,
    out_dir: str | Path | None = None,
    *,
    on_step: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Compute the results of a review and write the four report files (atomically, each).

    `on_step` is called before each step (for progress display).
    """
    step = on_step or (lambda _name: None)
    out = Path(out_dir) if out_dir is not None else project.root
    step("computing counts, tables and the audit")
    results = compute_results(project)
    step("drawing the PRISMA flow diagram")
    prisma = flow_diagram_svg(
        results.flow, title=f"PRISMA 2020 flow: {project.protocol.review.title}"
    )
    strategies = strategy_report(project.protocol)
    step("rendering charts and reports")
    data = results.as_json()
    charts = _charts(results)
    html, markdown = render(
        results, data, prisma, strategies, {name: c.svg for name, c in charts.items()}
    )
    step("writing files")
    files = {
        "prisma": out / "prisma.svg",
        "html": out / "report.html",
        "markdown": out / "report.md",
        "json": out / "results.json",
    }
    for name, chart in charts.items():
        # report.md shows the charts as images beside it; report.html has them inline; the
        # PNG (300 dpi) is for a journal.
        path = out / chart_file(name)
        atomic_write_text(path, chart.svg)
        files[f"chart:{name}"] = path
        png = out / chart_file(name, ".png")
        with atomic_output(png) as temporary:
            temporary.write_bytes(chart.png)
        files[f"chart-png:{name}"] = png
    atomic_write_text(files["prisma"], prisma)
    atomic_write_text(files["html"], html)
    atomic_write_text(files["markdown"], markdown)
    document = {
        **data,
        "search_notes": strategies.notes,
        "generated_strategies": strategies.generated,
    }
    atomic_write_text(files["json"], json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    # The checklists go with the report (PRISMA 2020 item 16a and PRISMA-S 15 cite its counts).
    from litrev.synthesis.checklists.checklist import write_checklists

    for name, path in write_checklists(project.protocol, results.flow, out).items():
        files[f"checklist:{name}"] = path
    return files
