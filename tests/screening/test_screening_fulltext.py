"""Full texts: real PDFs attached, deduplicated by content, read back, removed; hostile bytes
refused with the file named and never raising from pdf_text; files matched to records by DOI
(name or text), record id or citation, never by a guess."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from litrev.errors import InputError
from litrev.screening.decisions import Screening
from litrev.screening.fulltext import (
    MAX_PDF_BYTES,
    attach,
    fulltext_bytes,
    fulltexts_of,
    match_files,
    pdf_text,
    remove,
)
from litrev.screening.model import ScreeningError
from litrev.store import Store, schema

TA = "title_abstract"


def blank_pdf(pages: int = 1, *, marker: str = "") -> bytes:
    """A valid PDF of blank pages written by pypdf; `marker` in its metadata makes it unique."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if marker:
        writer.add_metadata({"/Title": marker})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_pdf(*lines: str) -> bytes:
    """A one-page PDF showing `lines` (built by hand: pypdf cannot write text), with a correct
    cross-reference table."""
    shown = " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*"
        for line in lines
    )
    stream = f"BT /F1 12 Tf 72 720 Td 14 TL {shown} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _add(store: Store, rows: list[dict[str, object]]) -> list[int]:
    now = datetime.now(UTC)
    values = [{"authors": [], "fields": {}, "created_at": now, **r} for r in rows]
    insert = schema.records.insert().returning(schema.records.c.id, sort_by_parameter_order=True)
    with store.transaction() as conn:
        return [int(i) for i in conn.execute(insert, values).scalars()]


@pytest.fixture
def s() -> Screening:
    screening = Screening(Store.open("sqlite://"))
    _add(
        screening.store,
        [
            {
                "title": "Peer support in dementia care",
                "doi": "10.1234/abc.5",
                "authors": ["Okafor, Chidi"],
                "year": 2019,
            },
            {
                "title": "Co-designing discharge from hospital",
                "doi": "https://doi.org/10.1234/ABC",
                "authors": ["Lindqvist, Åsa"],
                "year": 2021,
            },
            {
                "title": "Budgets held by service users",
                "doi": None,
                "authors": ["María José Núñez"],
                "year": 2021,
            },
            {
                "title": "Budgets and choice in social care",
                "doi": None,
                "authors": ["Núñez, M J"],
                "year": 2021,
            },
            {"title": "Not yet included", "doi": "10.9999/zz", "authors": ["Zed, A"], "year": 2020},
        ],
    )
    for r in (1, 2, 3, 4):
        for who in ("ann", "bob"):
            s_ = screening
            s_.decide(r, reviewer=who, stage=TA, decision="include")
    return screening


def test_text_pdf_is_read_by_pypdf() -> None:
    assert "doi:10.1234/abc.5" in pdf_text(text_pdf("Journal of Care", "doi:10.1234/abc.5"))


def test_attach_read_remove(s: Screening) -> None:
    data = blank_pdf(2)
    made = attach(s, 1, "C:\\Users\\ann\\Okafor 2019.pdf", data, by="ann")
    assert (made.filename, made.size, made.record_id) == ("Okafor 2019.pdf", len(data), 1)
    again = attach(s.store, 1, "copy.pdf", data, by="bob")
    assert again == made  # same bytes on the same record: kept once
    other = attach(s, 2, "copy.pdf", data, by="bob")  # the same bytes on another record: its own
    assert other.id != made.id
    second = attach(s, 1, "supplement.pdf", blank_pdf(1, marker="s"), by="ann")
    assert [f.id for f in fulltexts_of(s.store, 1)] == [made.id, second.id]
    info, body = fulltext_bytes(s.store, made.id)
    assert info == made and body == data
    remove(s.store, made.id, by="ann")
    assert [f.id for f in fulltexts_of(s.store, 1)] == [second.id]
    with pytest.raises(ScreeningError, match="no such full text"):
        fulltext_bytes(s.store, made.id)
    with s.store.connect() as conn:
        actions = list(conn.execute(select(schema.audit_log.c.action)).scalars())
    assert actions.count("screening.fulltext_attach") == 3
    assert actions.count("screening.fulltext_remove") == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"<html><script>alert(1)</script>", "not a PDF"),
        (b"PK\x03\x04 a docx", "not a PDF"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 4, "not a readable PDF"),
        (b"%PDF-", "not a readable PDF"),
    ],
)
def test_hostile_bytes_refused_naming_the_file(s: Screening, data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as refused:
        attach(s, 1, "../evil.pdf", data, by="ann")
    assert refused.value.path == "evil.pdf"
    assert pdf_text(data) == ""
    assert fulltexts_of(s.store, 1) == []


def test_truncated_pdf_never_raises(s: Screening) -> None:
    whole = text_pdf("doi:10.1234/abc.5")
    for cut in range(5, len(whole), 37):
        assert isinstance(pdf_text(whole[:cut]), str)
    with pytest.raises(InputError, match=r"truncated\.pdf"):
        attach(s, 1, "truncated.pdf", whole[: len(whole) // 3], by="ann")


def test_too_big_and_unknown_record(s: Screening) -> None:
    with pytest.raises(InputError, match="over the 50 MB limit"):
        attach(s, 1, "huge.pdf", b"%PDF-" + b"0" * MAX_PDF_BYTES, by="ann")
    with pytest.raises(InputError, match=r"report\.pdf: record 77: no such record"):
        attach(s, 77, "report.pdf", blank_pdf(), by="ann")


def test_match_files(s: Screening) -> None:
    pdf = blank_pdf()
    files = [
        ("10.1234_abc.5.pdf", pdf),  # DOI in the name, / as _ (not 10.1234/abc: longer wins)
        ("10.1234%2Fabc.pdf", pdf),  # / as %2F
        ("scan.pdf", text_pdf("Ageing & Society", "https://doi.org/10.1234/abc.5.")),
        ("4.pdf", pdf),  # litrev record id
        ("rec-3_budgets.pdf", pdf),
        ("5.pdf", pdf),  # a record not included at title/abstract
        ("Lindqvist 2021 Co-designing discharge.pdf", pdf),  # citation, accents folded
        ("Nunez_2021.pdf", pdf),  # two Núñez 2021 papers: ambiguous
        ("Nunez 2021 - Budgets held by service users.pdf", pdf),  # title words pick one
        ("Okafor 2018.pdf", pdf),  # the wrong year
        ("4.pdf", text_pdf("doi:10.1234/abc.5")),  # name and text disagree
        ("notes.txt", b"plain text"),
    ]
    got = [(m.record_id, m.how, m.candidates) for m in match_files(s, files)]
    assert got == [
        (1, "DOI in the file name", (1,)),
        (2, "DOI in the file name", (2,)),
        (1, "DOI in the first page", (1,)),
        (4, "record id 4 in the file name", (4,)),
        (3, "record id 3 in the file name", (3,)),
        (None, "record 5 in the file name is not screened at full_text", ()),
        (2, "first author, year and title in the file name", (2,)),
        (None, "not enough in the file name to choose: it could be record 3, 4", (3, 4)),
        (3, "first author, year and title in the file name", (3, 4)),
        (None, "no record matches the file name or a DOI in the text", ()),
        (None, "the name says record 4 but a DOI in the first page is record 1", (1, 4)),
        (None, "not a PDF", ()),
    ]


def test_match_only_eligible_records(s: Screening) -> None:
    [m] = match_files(s, [("10.9999_zz.pdf", blank_pdf())])
    assert m.record_id is None
    [m] = match_files(s, [("10.9999_zz.pdf", blank_pdf())], stage="ta")
    assert m.record_id == 5


def test_several_dois_in_text_is_not_a_guess(s: Screening) -> None:
    both = text_pdf("See doi:10.1234/abc.5 and doi:10.1234/abc for the trial.")
    [m] = match_files(s, [("scan.pdf", both)])
    assert (m.record_id, m.candidates) == (None, (1, 2))


def test_mutated_pdfs_never_crash(s: Screening) -> None:
    """Random byte damage to real PDFs: pdf_text always gives a string, attach either keeps the
    file or refuses it with an InputError naming it, nothing else."""
    import random

    rng = random.Random(11)
    originals = [text_pdf("doi:10.1234/abc.5", "Peer support"), blank_pdf(2, marker="m")]
    for k in range(120):
        data = bytearray(rng.choice(originals))
        for _ in range(rng.randint(1, 12)):
            at = rng.randrange(5, len(data))
            if rng.random() < 0.5:
                data[at] = rng.randrange(256)
            else:
                del data[at : at + rng.randint(1, 40)]
        assert isinstance(pdf_text(bytes(data)), str)
        try:
            attach(s, 1, f"m{k}.pdf", bytes(data), by="ann")
        except InputError as error:
            assert error.path == f"m{k}.pdf"


def test_two_threads_attach_the_same_file_once(tmp_path: object) -> None:
    import threading
    from pathlib import Path

    store = Store.open(Path(str(tmp_path)) / "litrev.db")
    [rid] = _add(store, [{"title": "One"}])
    data = blank_pdf(1, marker="race")
    barrier = threading.Barrier(2)
    made: list[int] = []

    def upload() -> None:
        barrier.wait()
        made.append(attach(store, rid, "race.pdf", data, by="ann").id)

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 2 and made[0] == made[1]
    assert len(fulltexts_of(store, rid)) == 1


def test_password_protected_pdf(s: Screening) -> None:
    from pypdf import PdfWriter

    def encrypted(user_password: str) -> bytes:
        writer = PdfWriter()
        writer.add_blank_page(width=100, height=100)
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    with pytest.raises(InputError, match=r"locked\.pdf: the PDF is password-protected"):
        attach(s, 1, "locked.pdf", encrypted("secret"), by="ann")
    assert pdf_text(encrypted("secret")) == ""
    # only an owner password (printing/copying limits): it opens, so it is kept
    assert attach(s, 1, "limited.pdf", encrypted(""), by="ann").filename == "limited.pdf"


def test_two_dois_in_one_name_is_not_a_guess(s: Screening) -> None:
    """Neither DOI lies inside the other: both records are candidates (the longer used to win)."""
    [m] = match_files(s, [("10.1234_abc.5 (10.1234_abc.5).pdf", blank_pdf())])
    assert m.record_id == 1  # 10.1234/abc only ever inside 10.1234/abc.5
    [m] = match_files(s, [("10.1234_abc.5 and 10.1234_abc (2).pdf", blank_pdf())])
    assert (m.record_id, m.candidates) == (None, (1, 2))  # 10.1234/abc also stands alone
    [m] = match_files(s, [("10.1234_abc.5 + 10.1234_abc.pdf", blank_pdf())])
    assert (m.record_id, m.candidates) == (None, (1, 2))


def test_citation_names_as_reference_managers_write_them() -> None:
    s = Screening(Store.open("sqlite://"))
    s.configure(TA, by="lead", reviewers_required=1)
    ids = _add(
        s.store,
        [
            {
                "title": "Falls after hip fracture in nursing homes",
                "authors": ["Tanaka HK"],
                "year": 2017,
            },
            {
                "title": "Exercise for older people: a trial",
                "authors": ["Tanaka, Yui"],
                "year": 2018,
            },
            {
                "title": "Vitamin D and falls: systematic review",
                "authors": ["Brown A", "Li B"],
                "year": 2017,
            },
        ],
    )
    for r in ids:
        s.decide(r, reviewer="ann", stage=TA, decision="include")
    names = [
        "Tanaka et al. - 2017 - Falls after hip fracture in nursing homes.pdf",  # Zotero
        "Tanaka_2018_Exercise.pdf",
        "Brown - 2017 - Vitamin D and falls.pdf",
        "Tanaka.pdf",  # two Tanakas, nothing else: candidates only
        "Falls after hip fracture in nursing homes.pdf",  # the whole title, no author
    ]
    got = [(m.record_id, m.candidates) for m in match_files(s, [(n, blank_pdf()) for n in names])]
    assert [g[0] for g in got] == [ids[0], ids[1], ids[2], None, ids[0]]
    assert got[3][1] == (ids[0], ids[1])  # a surname alone: candidates, never a match
