"""Structured claims: the numbers a manuscript states, each with the sentence it comes from.

A review folder may hold `claims.toml`. `litrev report` checks every claim against the data.

>>> claims = parse_claims('''
... [[claims]]
... id = "included"
... sentence = "Seventy-three peer reviewed articles met our inclusion criteria."
... quote = "Seventy-three"
... stated = 73
... quantity = "count"
... ''')
>>> claims[0].where
{}
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from litrev.errors import ProtocolError

CLAIMS_FILE = "claims.toml"

Quantity = Literal["count", "percent", "table_rows", "flow", "hits", "unverifiable"]
FlowStage = Literal[
    "identified",
    "duplicates_removed",
    "records_screened",
    "title_abstract_excluded",
    "reports_sought",
    "full_text_assessed",
    "full_text_excluded",
    "included",
]


class Claim(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    sentence: str
    stated: int
    quantity: Quantity
    quote: str = ""
    section: str = ""
    where: dict[str, str] = {}
    table: str = ""
    stage: FlowStage | None = None
    database: str = ""
    reason: str = ""

    @model_validator(mode="after")
    def _needs_its_keys(self) -> Claim:
        needed = {
            "table_rows": "table",
            "flow": "stage",
            "hits": "database",
            "unverifiable": "reason",
        }
        key = needed.get(self.quantity)
        if key and not getattr(self, key):
            raise ValueError(f"a claim with quantity '{self.quantity}' needs '{key}'")
        return self


class _ClaimsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    claims: list[Claim] = []


def parse_claims(text: str, *, path: str = CLAIMS_FILE) -> list[Claim]:
    """Parse and validate claims; errors name the claim (1-based) and key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProtocolError(path, [f"not valid TOML: {error}"]) from error
    try:
        claims = _ClaimsFile.model_validate(data).claims
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc = list(item["loc"])
            if len(loc) >= 2 and isinstance(loc[1], int):
                loc[1] = f"[{loc[1] + 1}]"
            where = ".".join(str(p) for p in loc).replace(".[", "[")
            problems.append(f"{where}: {item['msg'].removeprefix('Value error, ')}")
        raise ProtocolError(path, problems) from error
    ids = [c.id for c in claims]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ProtocolError(path, [f"claim ids must be unique; repeated: {repeated}"])
    return claims


def load_claims(folder: str | Path) -> list[Claim]:
    """Claims of a review folder; an absent `claims.toml` means no claims."""
    path = Path(folder) / CLAIMS_FILE
    if not path.exists():
        return []
    return parse_claims(path.read_text(encoding="utf-8"), path=str(path))
