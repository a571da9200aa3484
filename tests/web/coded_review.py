"""A telehealth review with a codebook and included studies coded by consensus, for the map,
match and extraction pages (built on `conftest.make_review`; nothing here is in litrev's data)."""

from __future__ import annotations

import csv
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .conftest import PROTOCOL, WebReview, make_review

KEY = "telehealth-hf"
TA, FT = "title_abstract", "full_text"

MAP_CODEBOOK = """
[codebook]
[[codebook.fields]]
name = "design"
label = "Study design"
type = "choice"
choices = ["randomised trial", "cohort", "qualitative", "modelling"]

[[codebook.fields]]
name = "setting"
label = "Setting"
type = "multi_choice"
choices = ["home", "clinic", "rural", "urban"]

[[codebook.fields]]
name = "funder"
label = "Funder"
"""

# record id -> coded values (the consensus); record 4 is included but not coded yet.
CODED = {
    1: {"design": "randomised trial", "setting": "home; urban", "funder": "NIHR"},
    2: {"design": "randomised trial", "setting": "clinic", "funder": "Heart Foundation"},
    3: {"design": "cohort", "setting": "home; rural", "funder": "NIHR"},
    5: {"design": "qualitative", "setting": "home", "funder": ""},
    6: {"design": "cohort", "setting": "rural", "funder": "Scottish Government"},
}


def include(review: Any, ids: list[int]) -> None:
    """Both reviewers include `ids` at title/abstract and at full text (the lead opens it)."""
    from litrev.screening.gates import open_stage

    for rid in ids:
        for who in ("rui", "sam"):
            review.screening.decide(rid, reviewer=who, stage=TA, decision="include")
    open_stage(review.screening, FT, by="lena", force=True)
    for rid in ids:
        for who in ("rui", "sam"):
            review.screening.decide(rid, reviewer=who, stage=FT, decision="include")


def coded_review(root: Path, backend: str, codebook: str = MAP_CODEBOOK) -> WebReview:
    """The review with `codebook`, records 1-6 included and CODED imported as consensus."""
    from litrev.extraction.importing import import_table

    web = make_review(root, backend, protocol=PROTOCOL + codebook)
    review = web.workspace.reviews[KEY]
    include(review, [1, 2, 3, 4, 5, 6])
    table = root / "coded.csv"
    names = [f.name for f in review.project.protocol.codebook.fields]
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["record_id", *names])
        writer.writeheader()
        for rid, values in CODED.items():
            writer.writerow({"record_id": rid, **{n: values.get(n, "") for n in names}})
    import_table(review.store, table, review.project.protocol.codebook, screening=review.screening)
    return web


@contextmanager
def serve(web: WebReview) -> Iterator[str]:
    """`web`'s app under a real uvicorn server on loopback (as conftest's `live_server` does
    for the plain review); yields its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(web.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# A codebook with every field type, a condition and a repeating group (extraction pages).
FORM_CODEBOOK = """
[codebook]
version = 1

[[codebook.groups]]
name = "outcomes"
label = "Outcomes"
help = "One row per outcome the study reports"
min = 1

[[codebook.fields]]
name = "design"
label = "Study design"
type = "choice"
choices = ["randomised trial", "cohort", "qualitative"]
required = true
help = "As the authors name it"

[[codebook.fields]]
name = "arms"
label = "Number of arms"
type = "integer"
required = true
when = { field = "design", in = ["randomised trial"] }

[[codebook.fields]]
name = "country"
label = "Country"
type = "country"
multiple = true
required = true

[[codebook.fields]]
name = "setting"
label = "Setting"
type = "hierarchical"
choices = ["Health > Primary care", "Health > Hospital", "Social care > Home care"]

[[codebook.fields]]
name = "devices"
label = "Devices"
type = "multi_choice"
choices = ["scale", "blood pressure cuff", "app"]

[[codebook.fields]]
name = "summary"
label = "Summary"
type = "long_text"

[[codebook.fields]]
name = "model_quote"
label = "How the paper describes telemonitoring"
type = "quote"

[[codebook.fields]]
name = "start_year"
label = "Start year"
type = "year"

[[codebook.fields]]
name = "outcome"
label = "Outcome"
group = "outcomes"
required = true

[[codebook.fields]]
name = "effect"
label = "Effect"
type = "number"
unit = "days"
group = "outcomes"
"""


def form_review(root: Path, backend: str, codebook: str = FORM_CODEBOOK) -> WebReview:
    """The review with `codebook` and records 1-6 included; nothing extracted yet."""
    web = make_review(root, backend, protocol=PROTOCOL + codebook)
    include(web.workspace.reviews[KEY], [1, 2, 3, 4, 5, 6])
    return web


def signed_in_context(
    browser: Any, web: WebReview, base: str, username: str, **options: Any
) -> Any:
    """A browser context carrying `username`'s session cookie (signed in through the app's
    own /login by a TestClient: the sign-in form itself is tested in test_web_auth_pages)."""
    from litrev.web.security import SESSION_COOKIE

    client = web.client(username)
    token = client.cookies.get(SESSION_COOKIE)
    assert token, f"{username} did not get a session"
    context = browser.new_context(**options)
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": base}])
    return context
