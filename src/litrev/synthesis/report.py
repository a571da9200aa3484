"""Writing a review's report: `report.html`, `report.md`, `prisma.svg` and `results.json`.

>>> import tempfile
>>> from litrev.project import Project
>>> project = Project.init(tempfile.mkdtemp())
>>> sorted(p.name for p in write_report(project).values())
['prisma.svg', 'report.html', 'report.md', 'results.json']
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

import litrev
from litrev.project import Project, atomic_write_text
from litrev.synthesis.audit import UNVERIFIABLE
from litrev.synthesis.charts import category_chart, stacked_chart
from litrev.synthesis.prisma import flow_diagram_svg
from litrev.synthesis.results import Results, compute_results
from litrev.synthesis.search_notes import StrategyReport, strategy_report

TABLE_TITLES = {
    "discipline_by_category": "Discipline × category",
    "country_by_category": "Country of author × category",
    "year_by_category": "Year of publication × category",
}
FLOW_ROWS = [
    ("identified", "Records identified from databases"),
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


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("litrev.synthesis", "templates"),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )


def _charts(results: Results) -> dict[str, str]:
    charts = {"categories": category_chart(results.categories)}
    for name, table in results.tables.items():
        if name == "year_by_category":
            charts[name] = stacked_chart(table, TABLE_TITLES[name], horizontal=False)
        else:
            charts[name] = stacked_chart(table, TABLE_TITLES[name], top=15)
    return charts


def render(
    results: Results, data: dict[str, Any], prisma_svg: str, strategies: StrategyReport
) -> tuple[str, str]:
    """The HTML and Markdown reports as strings."""
    protocol = results.project.protocol
    context = {
        "version": litrev.__version__,
        "review": protocol.review,
        "generated_on": results.generated_on.isoformat(),
        "results": data,
        "flow": data["flow"],
        "flow_rows": FLOW_ROWS,
        "categories": results.categories,
        "tables": results.tables,
        "table_titles": TABLE_TITLES,
        "charts": _charts(results),
        "audit": results.mismatches,
        "checks": results.audit,
        "unverifiable": [e for e in results.audit if e.status == UNVERIFIABLE],
        "claims_count": len(results.claims),
        "supplementary": results.supplementary,
        "search": protocol.search,
        "searches": protocol.searches,
        "search_notes": strategies.notes,
        "generated": strategies.generated,
        "eligibility": protocol.eligibility,
        "themes": protocol.themes,
        "prisma_svg": prisma_svg,
    }
    environment = _environment()
    html = environment.get_template("report.html.j2").render(**context)
    markdown = environment.get_template("report.md.j2").render(**context)
    return html, markdown


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
    html, markdown = render(results, data, prisma, strategies)
    step("writing files")
    files = {
        "prisma": out / "prisma.svg",
        "html": out / "report.html",
        "markdown": out / "report.md",
        "json": out / "results.json",
    }
    atomic_write_text(files["prisma"], prisma)
    atomic_write_text(files["html"], html)
    atomic_write_text(files["markdown"], markdown)
    document = {
        **data,
        "search_notes": strategies.notes,
        "generated_strategies": strategies.generated,
    }
    atomic_write_text(files["json"], json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return files
