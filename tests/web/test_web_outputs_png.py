"""The report page lists each chart's 300-dpi PNG beside its SVG, and serves it as a download."""

from __future__ import annotations

import html
import re
from pathlib import Path

from litrev.web.routes.outputs import report_links

from .coded_review import KEY, coded_review


def test_report_links_examples_hold(docstring_examples) -> None:
    docstring_examples("litrev.web.routes.outputs")


def test_a_folder_with_svg_and_png_charts_lists_the_png_beside_each_svg(tmp_path: Path) -> None:
    for name in ("chart-b_by_a.svg", "chart-b_by_a.png", "chart-only.svg", "chart-x y&z.svg"):
        (tmp_path / name).write_text("<svg/>", encoding="utf-8")
    (tmp_path / "chart-x y&z.png").write_bytes(b"\x89PNG")
    (tmp_path / "chart-stray.png").write_bytes(b"\x89PNG")  # no SVG: not a chart of the report
    links = {link.name: link for link in report_links("rev-2", tmp_path)}
    assert list(links)[:4] == ["report.html", "report.md", "results.json", "prisma.svg"]
    assert links["prisma.svg"].png_url is None  # the report writes no prisma.png
    assert links["chart-b_by_a.svg"].png_url == "/r/rev-2/report/files/chart-b_by_a.png"
    assert links["chart-only.svg"].png_url is None
    odd = links["chart-x y&z.svg"]
    assert odd.url.endswith("/chart-x%20y%26z.svg") and odd.png_url
    assert odd.png_url.endswith("/chart-x%20y%26z.png") and odd.png_name == "chart-x y&z.png"
    assert not any("stray" in link.name for link in links.values())


def test_the_report_page_links_and_serves_each_charts_png(tmp_path: Path) -> None:
    web = coded_review(tmp_path / "review", "sqlite")
    try:
        vic = web.client("vic")  # a viewer may download the report's files
        page = vic.get(f"/r/{KEY}/report")
        assert page.status_code == 200
        svgs = re.findall(r'href="[^"]+/(chart-[^"/]+\.svg)" data-testid="report-file"', page.text)
        pngs = re.findall(r'href="([^"]+\.png)" download="([^"]+)"', page.text)
        assert svgs, "the coded review's report has charts"
        assert [html.unescape(name) for _, name in pngs] == [
            name.removesuffix(".svg") + ".png" for name in svgs
        ]
        served = vic.get(html.unescape(pngs[0][0]))
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/png"
        assert served.content.startswith(b"\x89PNG\r\n\x1a\n")
        assert served.headers["content-disposition"].startswith("attachment;")
        anonymous = web.client().get(html.unescape(pngs[0][0]), follow_redirects=False)
        assert anonymous.status_code == 303  # to the sign-in page: members only
        assert anonymous.headers["location"].startswith("/login?")
    finally:
        web.workspace.close()
