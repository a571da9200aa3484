"""Time and memory of the issue-10 readers on generated files of 2,000 and 8,000 records.

Each file repeats one record of the format's fixture (tests/records/data/formats/), numbered,
so the work per record is that of a realistic record; the ratio of the two sizes shows whether
a reader is linear (8,000 records should take about 4 times as long as 2,000).

    nice -n 10 .venv/bin/python benchmarks/records/bench_new_formats.py [FORMAT ...]

CPU time (`time.process_time`) is reported beside wall time: the test machine is shared, so
wall time is inflated by other jobs. Peak memory is `tracemalloc`'s, for a second read.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from litrev.records import read

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "records" / "data" / "formats"
SIZES = (2000, 8000)


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end)]


def _makers() -> dict[str, Callable[[int], str]]:
    def fixture(name: str) -> str:
        return (FIXTURES / name).read_text(encoding="utf-8-sig")

    cochrane = _between(fixture("cochrane.txt"), "Record #1 of 3", "Record #2 of 3")
    ovid = _between(fixture("ovid-medline.txt"), "<1>", "<2>")
    refworks = _between(fixture("refworks.txt"), "RT Journal Article", "RT Book, Section")
    pubmed = fixture("pubmed.xml")
    article = "<PubmedArticle>" + pubmed.split("<PubmedArticle>")[1].split("</PubmedArticle>")[0]
    rdf = fixture("zotero.rdf")
    rdf_head, rdf_rest = rdf.split("    <bib:Article", 1)
    rdf_item = "    <bib:Article" + rdf_rest.split("    <z:Attachment")[0]
    embase = fixture("embase.csv").split("\n")
    csl_item = json.loads(fixture("csl.json"))[0]
    return {
        "cochrane-txt": lambda n: "".join(
            cochrane.replace("Record #1 of 3", f"Record #{i + 1} of {n}") for i in range(n)
        ),
        "ovid-txt": lambda n: "".join(ovid.replace("<1>", f"<{i + 1}>") for i in range(n)),
        "refworks": lambda n: refworks * n,
        "pubmed-xml": lambda n: (
            "<PubmedArticleSet>\n"
            + "".join(
                article.replace("38811122", str(10_000_000 + i)) + "</PubmedArticle>\n"
                for i in range(n)
            )
            + "</PubmedArticleSet>\n"
        ),
        "zotero-rdf": lambda n: rdf_head + rdf_item * n + "</rdf:RDF>\n",
        "embase-csv": lambda n: embase[0] + "\n" + (embase[1] + "\n") * n,
        "csl-json": lambda n: json.dumps([dict(csl_item, id=f"item{i}") for i in range(n)]),
    }


_SUFFIX = {"pubmed-xml": ".xml", "zotero-rdf": ".rdf", "embase-csv": ".csv", "csl-json": ".json"}


def main(formats: list[str]) -> None:
    makers = _makers()
    folder = Path(tempfile.mkdtemp(prefix="litrev-bench-"))
    for fmt in formats or list(makers):
        cells = []
        cpu_times = []
        for n in SIZES:
            path = folder / f"{fmt}-{n}{_SUFFIX.get(fmt, '.txt')}"
            path.write_text(makers[fmt](n), encoding="utf-8")
            wall, cpu = time.perf_counter(), time.process_time()
            records = read(path)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            assert len(records) == n, (fmt, len(records))
            assert records[0].provenance is not None and records[0].provenance.format == fmt
            tracemalloc.start()
            read(path)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            cpu_times.append(cpu)
            size = path.stat().st_size / 1e6
            cells.append(
                f"{n:>5}: {size:5.1f} MB, cpu {cpu:5.2f} s, wall {wall:5.2f} s, peak {peak / 1e6:4.0f} MB"
            )
        ratio = cpu_times[1] / cpu_times[0] if cpu_times[0] else float("nan")
        print(f"{fmt:<13} " + " | ".join(cells) + f" | cpu ratio {ratio:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
