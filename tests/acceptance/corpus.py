"""The acceptance review's studies, and writers for each database's export format.

The studies are made up (a scoping review of exercise programmes for preventing falls in older
people), but the files are written exactly as each service exports them: Web of Science plain
text, PubMed's MEDLINE (.nbib), Scopus RIS, EBSCOhost RIS and a generic CSV. Which study appears
in which file is fixed here, so the test can state every count by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Work:
    key: str
    title: str
    authors: tuple[tuple[str, str], ...]  # (family, given)
    year: int
    journal: str
    volume: str
    issue: str
    first_page: str
    last_page: str
    doi: str
    abstract: str


def _work(n: int, title: str, authors: str, year: int, journal: str, doi: bool = True) -> Work:
    people = tuple(tuple(a.split(", ")) for a in authors.split("; "))
    return Work(
        key=f"W{n}",
        title=title,
        authors=people,  # type: ignore[arg-type]
        year=year,
        journal=journal,
        volume=str(10 + n),
        issue=str(1 + n % 4),
        first_page=str(100 + 17 * n),
        last_page=str(100 + 17 * n + 9),
        doi=f"10.5555/falls.{year}.{n:03d}" if doi else "",
        abstract=(
            f"Background: falls are common in later life. Methods: study {n} of exercise for "
            f"older adults. Results: programme {n} was described in {year}."
        ),
    )


WORKS = {
    w.key: w
    for w in [
        _work(
            1,
            "Tai chi and falls in community-dwelling older adults: a cluster trial",
            "Okafor, Ngozi; Lindqvist, Erik",
            2012,
            "Age and Ageing",
        ),
        _work(
            2,
            "Home-based strength and balance retraining after hip fracture",
            "Murphy, Aoife; Chen, Li",
            2013,
            "Physiotherapy",
        ),
        _work(
            3,
            "Group exercise classes delivered by peer leaders in sheltered housing",
            "Santos, Maria; Kowalski, Piotr",
            2013,
            "Health & Social Care in the Community",
        ),
        _work(
            4,
            "Otago exercise programme adherence among people aged 80 and over",
            "Tanaka, Hiroshi; Walker, Sarah; Brown, Emma",
            2014,
            "Journal of Aging and Physical Activity",
        ),
        _work(
            5,
            "Co-designing a falls prevention service with older people and carers",
            "Jensen, Mette; Haddad, Omar",
            2014,
            "Health Expectations",
        ),
        _work(
            6,
            "Dance-based exercise and balance confidence: a mixed-methods evaluation",
            "Rossi, Giulia; Novak, Jan",
            2015,
            "BMC Geriatrics",
        ),
        _work(
            7,
            "Digital exergames for fall prevention in residential care",
            "Fischer, Anna; Dubois, Claire",
            2015,
            "JMIR Serious Games",
        ),
        _work(
            8,
            "Community pharmacists' role in falls risk screening",
            "Ahmed, Sana; Kelly, Brian",
            2017,
            "International Journal of Pharmacy Practice",
        ),
        _work(
            9,
            "Walking groups and fear of falling: a qualitative study",
            "Nguyen, Thi; Smith, Robert",
            2017,
            "Ageing and Society",
        ),
        _work(
            10,
            "Balance training in primary care: a pragmatic randomised trial",
            "Garcia, Lucia; Olsen, Lars",
            2018,
            "British Journal of General Practice",
        ),
        _work(
            11,
            "Volunteer-led strength classes in rural communities",
            "Wilson, Kate; Mbeki, Thabo",
            2018,
            "Rural and Remote Health",
        ),
        _work(
            12,
            "Cost of a multifactorial falls clinic compared with usual care",
            "Park, Ji-woo; Evans, Tom",
            2019,
            "Age and Ageing",
        ),
        _work(
            13,
            "Yoga for older women with osteoporosis: feasibility study",
            "Kumar, Priya; Berg, Ingrid",
            2019,
            "Osteoporosis International",
        ),
        _work(
            14,
            "Telehealth exercise supervision during lockdown",
            "Moreau, Julien; Ali, Fatima",
            2020,
            "Journal of Telemedicine and Telecare",
        ),
        _work(
            15,
            "Falls prevention in people with dementia living at home",
            "O'Neill, Siobhan; Schmidt, Peter",
            2020,
            "Dementia",
        ),
        _work(
            16,
            "Exercise referral schemes and falls: a national cohort",
            "Davies, Rhys; Costa, Ana",
            2021,
            "Public Health",
        ),
        _work(
            17,
            "Stepping training on a perturbation treadmill",
            "Yamamoto, Ken; Hughes, Laura",
            2021,
            "Gait & Posture",
        ),
        _work(
            18,
            "Older people's views of strength training: a focus group study",
            "Andersson, Karin; Obi, Chidi",
            2022,
            "Health Expectations",
        ),
        _work(
            19,
            "Implementing falls prevention guidance in care homes",
            "Reid, Fiona; Lopez, Carlos",
            2022,
            "Age and Ageing",
        ),
        _work(
            20,
            "A realist evaluation of a community falls pathway",
            "Bianchi, Marco; Taylor, Jane",
            2023,
            "BMJ Open",
        ),
        _work(
            21,
            "Physical activity and falls in the oldest old: a cohort study",
            "Hansen, Nils; Ortiz, Elena",
            2016,
            "Journal of the American Geriatrics Society",
            doi=False,
        ),
        _work(
            22,
            "Falls prevention champions in general practice",
            "Clarke, Helen; Sato, Yuki",
            2019,
            "Primary Health Care Research & Development",
        ),
        _work(
            23,
            "Strength and balance programmes for people after stroke",
            "Mensah, Kofi; Young, Alice",
            2020,
            "Clinical Rehabilitation",
        ),
        _work(
            24,
            "Outdoor walking programmes for falls prevention",
            "Lindgren, Sofia; Patel, Raj",
            2021,
            "Journal of Aging and Physical Activity",
        ),
    ]
}


def _given_initials(given: str) -> str:
    return "".join(part[0] for part in given.replace("-", " ").split())


def write_wos(path: Path, keys: list[str]) -> None:
    """Web of Science plain text ("Other file format", full record)."""
    lines = ["\ufeffFN Clarivate Analytics Web of Science", "VR 1.0"]
    for i, key in enumerate(keys):
        w = WORKS[key]
        au = [f"{f}, {_given_initials(g)}" for f, g in w.authors]
        af = [f"{f}, {g}" for f, g in w.authors]
        lines += ["PT J", f"AU {au[0]}", *[f"   {a}" for a in au[1:]]]
        lines += [f"AF {af[0]}", *[f"   {a}" for a in af[1:]]]
        lines += [f"TI {w.title}", f"SO {w.journal.upper()}", "LA English", "DT Article"]
        lines += [f"AB {w.abstract}", f"PY {w.year}", f"VL {w.volume}", f"IS {w.issue}"]
        lines += [f"BP {w.first_page}", f"EP {w.last_page}"]
        if w.doi:
            lines.append(f"DI {w.doi}")
        lines += [f"UT WOS:0006{i:08d}", "ER", ""]
    lines.append("EF")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_nbib(path: Path, keys: list[str]) -> None:
    """PubMed's MEDLINE format (Send to: Citation manager, .nbib)."""
    blocks = []
    for i, key in enumerate(keys):
        w = WORKS[key]
        lines = [f"PMID- 3{i:07d}", "OWN - NLM", "STAT- MEDLINE", f"VI  - {w.volume}"]
        lines += [f"IP  - {w.issue}", f"DP  - {w.year}", f"TI  - {w.title}."]
        lines += [f"PG  - {w.first_page}-{w.last_page[-1]}"]  # PubMed abbreviates page ranges
        if w.doi:
            lines.append(f"LID - {w.doi} [doi]")
        lines.append(f"AB  - {w.abstract}")
        for family, given in w.authors:
            lines += [f"FAU - {family}, {given}", f"AU  - {family} {_given_initials(given)}"]
        lines += ["LA  - eng", "PT  - Journal Article", f"JT  - {w.journal}"]
        if w.doi:
            lines.append(f"AID - {w.doi} [doi]")
        blocks.append("\n".join(lines))
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")


def write_ris(
    path: Path,
    keys: list[str],
    database: str,
    *,
    reworded: dict[str, tuple[str, str]] | None = None,
) -> None:
    """RIS as Scopus or EBSCOhost write it (DB names the database).

    `reworded` maps a key of this file to (the study it is, its title here): such a record has
    no DOI, volume, issue or pages, as an abstract-only entry of another database may have.
    """
    blocks = []
    for key in keys:
        bare = key in (reworded or {})
        original, title = (reworded or {}).get(key, (key, WORKS.get(key, WORKS["W1"]).title))
        w = WORKS[original]
        lines = ["TY  - JOUR", f"TI  - {title}", f"T2  - {w.journal}"]
        if not bare:
            lines += [f"VL  - {w.volume}", f"IS  - {w.issue}"]
            lines += [f"SP  - {w.first_page}", f"EP  - {w.last_page}"]
        lines += [f"PY  - {w.year}"]
        if w.doi and not bare:
            lines.append(f"DO  - {w.doi}")
        lines += [f"AU  - {family}, {given}" for family, given in w.authors]
        lines += [f"AB  - {w.abstract}"]
        if database:
            lines.append(f"DB  - {database}")
        lines += ["ER  - ", ""]
        blocks.append("\n".join(lines))
    path.write_text("\n".join(blocks), encoding="utf-8")


def write_csv(path: Path, keys: list[str]) -> None:
    """A plain CSV of citations a reviewer collected by hand (title, authors, year, ...)."""
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["Title", "Authors", "Year", "Journal", "Volume", "Issue", "Pages", "DOI", "Abstract"]
        )
        for key in keys:
            w = WORKS[key]
            authors = "; ".join(f"{f}, {g}" for f, g in w.authors)
            pages = f"{w.first_page}-{w.last_page}"
            out.writerow(
                [w.title, authors, w.year, w.journal, w.volume, w.issue, pages, w.doi, w.abstract]
            )
