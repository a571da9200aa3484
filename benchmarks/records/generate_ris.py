"""A deterministic synthetic RIS export, shaped like real database exports, with its ground truth.

Each record mixes the dialect features the readers must handle: repeated AU/KW/SN tags,
T2/J2 journal names, multi-line N1 notes (continuation lines, as Web of Science writes them),
long abstracts, DOIs, accession numbers, and non-ASCII names.

    python benchmarks/records/generate_ris.py OUT.ris [N_RECORDS]
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

WORDS = [
    "care",
    "co-production",
    "service",
    "users",
    "carers",
    "health",
    "social",
    "community",
    "older",
    "adults",
    "mental",
    "integrated",
    "support",
    "peer",
    "intervention",
    "outcomes",
    "quality",
    "wellbeing",
    "primary",
    "hospital",
    "nursing",
    "evaluation",
    "qualitative",
    "trial",
    "review",
    "participation",
    "involvement",
    "design",
    "public",
    "partnership",
    "dementia",
    "disability",
    "children",
    "families",
    "housing",
    "homelessness",
    "recovery",
    "self-management",
]
SURNAMES = [
    "Smith",
    "Müller",
    "García",
    "O'Brien",
    "Nguyen",
    "Kowalska",
    "Øster",
    "Li",
    "Patel",
    "Dubois",
    "Rossi",
    "Yılmaz",
    "Okafor",
    "Svensson",
    "Kim",
    "Brown",
]
GIVEN = ["A.", "J. K.", "Maria", "Tom", "Z.", "Anne-Marie", "Élodie", "Ravi", "Chen"]
JOURNALS = [
    "Health Expectations",
    "BMJ Open",
    "Journal of Advanced Nursing",
    "Health & Social Care in the Community",
    "International Journal of Integrated Care",
]
DATABASES = ["Scopus", "Embase", "CINAHL Complete", "APA PsycInfo", "MEDLINE"]


@dataclass
class Truth:
    records: int = 0
    tag_lines: int = 0  # tag/value pairs, TY included, ER excluded
    continuation_lines: int = 0
    value_chars: int = 0  # non-whitespace characters in all values (continuations included)


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def generate(path: Path, n_records: int, seed: int = 20240601) -> Truth:
    """Write `n_records` records to `path` (UTF-8, LF); return what a lossless reader must see."""
    rng = random.Random(seed)
    truth = Truth()

    def add(lines: list[str], tag: str, value: str, more: tuple[str, ...] = ()) -> None:
        lines.append(f"{tag}  - {value}")
        truth.tag_lines += 1
        truth.value_chars += len("".join(value.split()))
        for line in more:
            lines.append(line)
            truth.continuation_lines += 1
            truth.value_chars += len("".join(line.split()))

    with path.open("w", encoding="utf-8", newline="\n") as out:
        for index in range(n_records):
            lines: list[str] = []
            add(lines, "TY", rng.choice(["JOUR", "JOUR", "JOUR", "CONF", "BOOK"]))
            add(lines, "TI", _sentence(rng, rng.randint(6, 16)))
            for _ in range(rng.randint(1, 8)):
                add(lines, "AU", f"{rng.choice(SURNAMES)}, {rng.choice(GIVEN)}")
            add(lines, "PY", str(rng.randint(1990, 2025)))
            journal = rng.choice(JOURNALS)
            add(lines, "T2", journal)
            add(lines, "J2", journal[:12] + ".")
            add(lines, "VL", str(rng.randint(1, 80)))
            add(lines, "IS", str(rng.randint(1, 12)))
            start = rng.randint(1, 900)
            add(lines, "SP", str(start))
            add(lines, "EP", str(start + rng.randint(1, 20)))
            add(lines, "DO", f"10.{rng.randint(1000, 9999)}/bench.{index}")
            for _ in range(rng.randint(1, 2)):  # print and electronic ISSN, as Embase writes
                add(lines, "SN", f"{rng.randint(1000, 9999)}-{rng.randint(100, 999)}X")
            add(lines, "AB", " ".join(_sentence(rng, rng.randint(8, 20)) + "." for _ in range(5)))
            for _ in range(rng.randint(2, 10)):
                add(lines, "KW", rng.choice(WORDS))
            add(lines, "AN", f"{rng.randint(10**7, 10**8)}")
            add(lines, "DB", rng.choice(DATABASES))
            add(lines, "UR", f"https://example.org/record/{index}")
            if rng.random() < 0.3:  # Web of Science style multi-line note
                add(
                    lines,
                    "N1",
                    f"Times Cited: {rng.randint(0, 99)}",
                    (f"Total Times Cited:  {rng.randint(0, 99)}", "Cited Reference Count:  40"),
                )
            add(lines, "LA", "English")
            lines.append("ER  - ")
            lines.append("")
            out.write("\n".join(lines) + "\n")
            truth.records += 1
    return truth


if __name__ == "__main__":
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    print(json.dumps(asdict(generate(target, count))))
