"""The review's outputs in the browser's routes: the report, the catalogue of included studies,
its exports and the public catalogue link."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import FAST_HASHER, PASSWORD, WebReview

DEMO = "coproduction-models"


class DemoSite:
    """The built-in review served by the workspace, with a lead `lea` and a viewer `val`."""

    def __init__(self, root: Path, database: str | None = None) -> None:
        from litrev.web import Workspace, create_app

        self.workspace = Workspace.open([root], databases=[database] if database else ())
        self.workspace.accounts.hasher = FAST_HASHER
        for name, role in (("lea", "lead"), ("val", "viewer")):
            self.workspace.accounts.add_user(name, PASSWORD, actor="test")
            self.workspace.accounts.grant(DEMO, name, role, actor="test")
        self.app = create_app(self.workspace)

    def client(self, username: str | None = None) -> Any:
        from fastapi.testclient import TestClient

        client = TestClient(self.app, base_url="http://testserver")
        if username:
            signed = client.post(
                "/login",
                data={"username": username, "password": PASSWORD},
                headers={"origin": "http://testserver"},
                follow_redirects=False,
            )
            assert signed.status_code == 303
        return client


@pytest.fixture
def demo_site(demo_dir: Path, tmp_path: Path) -> Iterator[DemoSite]:
    root = tmp_path / "demo"
    shutil.copytree(demo_dir, root)
    site = DemoSite(root)
    yield site
    site.workspace.close()


def consensus_values(site: DemoSite) -> dict[int, dict[str, str]]:
    """The extraction table in the store: {record id: {field: consensus value}}."""
    from sqlalchemy import select

    from litrev.extraction.codebook import CONSENSUS
    from litrev.store import schema

    table = schema.extractions
    with site.workspace.reviews[DEMO].store.connect() as conn:
        rows = conn.execute(
            select(table.c.record_id, table.c.field, table.c.value).where(
                table.c.reviewer == CONSENSUS
            )
        ).all()
    out: dict[int, dict[str, str]] = {}
    for rid, name, value in rows:
        out.setdefault(int(rid), {})[name] = value
    return out


def shown_records(html: str) -> list[int]:
    return [int(r) for r in re.findall(r'data-testid="study" data-record="(\d+)"', html)]


def test_catalogue_finds_the_uk_practice_oriented_models_and_exports_them(
    demo_site: DemoSite,
) -> None:
    import openpyxl

    coded = consensus_values(demo_site)
    expected = sorted(
        r
        for r, v in coded.items()
        if v.get("category") == "practice-oriented" and v.get("country") == "UK"
    )
    val = demo_site.client("val")
    everything = val.get(f"/r/{DEMO}/catalogue")
    assert everything.status_code == 200
    assert len(shown_records(everything.text)) == len(coded)
    for field in ("category", "discipline", "country", "year"):
        assert f'data-testid="facet-{field}"' in everything.text
    query = "category=practice-oriented&country=UK"
    page = val.get(f"/r/{DEMO}/catalogue?{query}")
    assert sorted(shown_records(page.text)) == expected
    count = re.search(r'data-testid="catalogue-count">(\d+)<', page.text)
    assert count and int(count.group(1)) == len(expected)
    # the country facet counts among practice-oriented studies: UK's count is the answer
    uk = re.search(
        r'value="UK" checked>\s*<span class="facet-name">UK</span><span class="facet-count">(\d+)',
        page.text,
    )
    assert uk and int(uk.group(1)) == len(expected)

    exported = val.get(f"/r/{DEMO}/catalogue/export?{query}&format=csv")
    assert exported.status_code == 200
    assert exported.headers["content-disposition"] == (
        'attachment; filename="coproduction-models-catalogue.csv"'
    )
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted(int(r["litrev_id"]) for r in table) == expected
    assert all(r["coded_category"] == "practice-oriented" for r in table)
    assert all(r["coded_country"] == "UK" for r in table)
    assert {r["coded_discipline"] for r in table} == {coded[r]["discipline"] for r in expected}

    xlsx = val.get(f"/r/{DEMO}/catalogue/export?{query}&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    ids = sorted(int(row[header.index("litrev_id")]) for row in rows)
    assert ids == expected

    ris = val.get(f"/r/{DEMO}/catalogue/export?{query}&format=ris").text
    assert ris.count("TY  - ") == len(expected)
    assert sorted(int(i) for i in re.findall(r"litrev:id=(\d+)", ris)) == expected


def test_catalogue_refuses_an_unknown_field_and_format(demo_site: DemoSite) -> None:
    val = demo_site.client("val")
    wrong = val.get(f"/r/{DEMO}/catalogue?countri=UK")
    assert wrong.status_code == 400 and "countri" in wrong.text and "country" in wrong.text
    bad = val.get(f"/r/{DEMO}/catalogue/export?format=docx")
    assert bad.status_code == 400 and "ris, csv, xlsx" in bad.text
    search = val.get(f"/r/{DEMO}/catalogue?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert search.status_code == 200 and "<script>alert" not in search.text


def test_public_link_shows_only_the_catalogue(demo_site: DemoSite) -> None:
    anyone = demo_site.client()
    assert anyone.get(f"/p/{DEMO}/catalogue").status_code == 404
    assert anyone.get(f"/p/{DEMO}/catalogue/export?format=csv").status_code == 404
    demo_site.workspace.public.add(DEMO)
    page = anyone.get(f"/p/{DEMO}/catalogue?category=typology")
    assert page.status_code == 200
    assert shown_records(page.text)
    assert "/r/" not in page.text  # no link into the review's other pages
    assert "Sign out" not in page.text and not re.search(r"\b(lea|val)\b", page.text)
    export = anyone.get(f"/p/{DEMO}/catalogue/export?category=typology&format=ris")
    assert export.status_code == 200 and export.text.count("TY  - ") == len(
        shown_records(page.text)
    )
    for path in (f"/r/{DEMO}/catalogue", f"/r/{DEMO}/report", f"/r/{DEMO}/", f"/r/{DEMO}/fulltext"):
        answer = anyone.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert anyone.get("/p/no-such-review/catalogue").status_code == 404


def test_exports_hold_no_reviewers_decisions_even_while_blind(web_review: WebReview) -> None:
    """Only final outcomes reach the catalogue and its exports: a record one reviewer
    included at full text (blind to the other) is not in them, and nobody's name is."""
    key = web_review.key
    screening = web_review.workspace.reviews[key].screening
    for rid in (1, 2, 3):
        for who in ("rui", "sam"):
            screening.decide(rid, reviewer=who, stage="title_abstract", decision="include")
    from litrev.screening.gates import open_stage

    open_stage(screening, "full_text", by="lena", force=True)
    for rid in (1, 2):
        for who in ("rui", "sam"):
            screening.decide(rid, reviewer=who, stage="full_text", decision="include")
    screening.decide(3, reviewer="rui", stage="full_text", decision="include", note="rui-secret")
    sam = web_review.client("sam")
    page = sam.get(f"/r/{key}/catalogue")
    assert sorted(shown_records(page.text)) == [1, 2]
    for fmt in ("csv", "ris", "xlsx"):
        data = sam.get(f"/r/{key}/catalogue/export?format={fmt}").content
        assert b"rui" not in data and b"sam" not in data
        if fmt == "csv":
            table = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
            assert sorted(int(r["litrev_id"]) for r in table) == [1, 2]
            assert {r["litrev_full_text"] for r in table} == {"include"}


def test_report_is_served_with_its_own_csp_and_rebuilt_when_decisions_change(
    web_review: WebReview,
) -> None:
    key = web_review.key
    vic = web_review.client("vic")
    page = vic.get(f"/r/{key}/report")
    assert page.status_code == 200
    assert f'src="/r/{key}/report/files/report.html"' in page.text
    assert 'data-testid="rebuild-report"' not in page.text  # leads only
    links = re.findall(r'href="(/r/[^"]+/report/files/[^"]+)" data-testid="report-file"', page.text)
    assert {link.rsplit("/", 1)[1] for link in links} >= {
        "report.html",
        "report.md",
        "results.json",
        "prisma.svg",
    }
    html = vic.get(f"/r/{key}/report/files/report.html")
    assert html.status_code == 200 and "<script" not in html.text.lower()
    csp = html.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "style-src 'unsafe-inline'" in csp
    assert "script-src" not in csp
    results = vic.get(f"/r/{key}/report/files/results.json").json()
    assert vic.get(f"/r/{key}/report/files/state.txt").status_code == 404
    assert vic.get(f"/r/{key}/report/files/..%2Flitrev.toml").status_code == 404
    screening = web_review.workspace.reviews[key].screening
    for who in ("rui", "sam"):
        screening.decide(
            1, reviewer=who, stage="title_abstract", decision="exclude", reason="population"
        )
    later = vic.get(f"/r/{key}/report/files/results.json").json()
    assert later != results  # rebuilt from the new decisions
    rui = web_review.client("rui")
    csrf = web_review.csrf(rui)
    assert rui.post(f"/r/{key}/report/rebuild", data={"csrf_token": csrf}).status_code == 403
    from litrev.web.routes.outputs import report_cache

    state_file = report_cache(web_review.workspace.reviews[key]) / "current" / "state.txt"
    before = state_file.stat().st_mtime_ns
    lena = web_review.client("lena")
    rebuilt = lena.post(
        f"/r/{key}/report/rebuild",
        data={"csrf_token": web_review.csrf(lena)},
        follow_redirects=False,
    )
    assert rebuilt.status_code == 303
    assert state_file.stat().st_mtime_ns != before  # built again though nothing changed
    assert 'data-testid="rebuild-report"' in lena.get(rebuilt.headers["location"]).text


def test_catalogue_on_postgresql_agrees_with_sqlite(
    demo_dir: Path, tmp_path: Path, postgres_schemas: Any
) -> None:
    """The built-in review copied to a PostgreSQL store serves the same catalogue."""
    from litrev.store import Store
    from litrev.store.copy import copy_store

    root = tmp_path / "demo"
    shutil.copytree(demo_dir, root)
    url = str(postgres_schemas())
    source, target = Store.open(root / "litrev.db"), Store.open(url)
    try:
        copy_store(source, target)
    finally:
        source.close()
        target.close()
    (root / "litrev.db").unlink()  # the review now lives on PostgreSQL only
    site = DemoSite(root, url)
    try:
        coded = consensus_values(site)
        expected = sorted(
            r
            for r, v in coded.items()
            if v.get("category") == "practice-oriented" and v.get("country") == "UK"
        )
        val = site.client("val")
        page = val.get(f"/r/{DEMO}/catalogue?category=practice-oriented&country=UK")
        assert expected and sorted(shown_records(page.text)) == expected
        table = list(
            csv.DictReader(
                io.StringIO(
                    val.get(
                        f"/r/{DEMO}/catalogue/export?category=practice-oriented&country=UK&format=csv"
                    ).text
                )
            )
        )
        assert sorted(int(r["litrev_id"]) for r in table) == expected
    finally:
        site.workspace.close()
