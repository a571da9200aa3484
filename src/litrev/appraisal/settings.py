"""`[appraisal]` in `litrev.toml`, and the checks of the protocol keys synthesis reads
(`[appraisal]`, `[report] theme_field/frequencies/levels/timeline`, `[[themes]]` narratives).

Kept out of `litrev.protocol` (which only names the model and calls `check_protocol`), so that the
appraisal tools' data is read only when a protocol names one.

>>> AppraisalSettings(tools=["casp-qualitative"]).tools
['casp-qualitative']
>>> from pydantic import ValidationError
>>> try:
...     AppraisalSettings(tools=["casp"])
... except ValidationError as error:
...     print(error.errors()[0]["msg"])
Value error, unknown appraisal tool 'casp'; tools: casp-qualitative, mmat-2018, jbi-qualitative, jbi-cross-sectional, jbi-text-opinion
"""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, field_validator

if TYPE_CHECKING:
    from litrev.protocol import Protocol


class AppraisalSettings(BaseModel):
    """`[appraisal]`: the built-in appraisal tools the review uses (their items are codebook
    fields, `litrev appraisal adopt`), and whether two reviewers rate each study independently
    (their ratings reconciled like any double extraction) or one does."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tools: list[str] = []
    double_rated: bool = True

    @field_validator("tools")
    @classmethod
    def _known_tools(cls, value: list[str]) -> list[str]:
        from litrev.appraisal.tools import tool_names

        names = tool_names()
        for name in value:
            if name not in names:
                raise ValueError(f"unknown appraisal tool {name!r}; tools: {', '.join(names)}")
        repeated = sorted({n for n in value if value.count(n) > 1})
        if repeated:
            raise ValueError(f"a tool is named twice: {repeated}")
        return value


def narrative_path_problem(path: str) -> str | None:
    """Why a `[[themes]] narrative` path cannot be used (None when it can): it must be a relative
    path inside the review folder.

    >>> narrative_path_problem("themes/a.md") is None, narrative_path_problem("../x.md")
    (True, "narrative '../x.md' must be a path inside the review folder (no '..')")
    """
    if not path:
        return None
    if PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute() or ":" in path:
        return f"narrative {path!r} must be a relative path inside the review folder"
    if ".." in PurePosixPath(path.replace("\\", "/")).parts:
        return f"narrative {path!r} must be a path inside the review folder (no '..')"
    return None


def check_protocol(protocol: Protocol) -> None:
    """Raise `ValueError` naming the key when `[appraisal]`, `[[themes]]` or the synthesis keys of
    `[report]` name what the codebook does not hold."""
    from litrev.appraisal.tools import tool

    codebook = protocol.codebook
    names = sorted(f.name for f in codebook.fields)
    for name in protocol.appraisal.tools:
        found = tool(name)
        missing = [f for f in found.field_names if codebook.field(f) is None]
        if missing:
            shown = ", ".join(missing[:4]) + (", ..." if len(missing) > 4 else "")
            raise ValueError(
                f"appraisal.tools names {name!r}, but the codebook lacks its fields ({shown}); "
                f"add them with `litrev appraisal adopt {name} --append`"
            )
    report = protocol.report
    for key, fields in (
        ("report.theme_field", [report.theme_field] if report.theme_field else []),
        ("report.frequencies", report.frequencies or []),
        ("report.timeline", [report.timeline] if report.timeline else []),
        ("report.levels", list(report.levels)),
    ):
        unknown = [f for f in fields if codebook.field(f) is None]
        if unknown:
            raise ValueError(f"{key} names {unknown}, not codebook fields; fields: {names}")
    for name, level in report.levels.items():
        found_field = codebook.field(name)
        if found_field is not None and found_field.type != "hierarchical":
            raise ValueError(
                f"report.levels names {name!r}, a {found_field.type} field; levels are for "
                "hierarchical fields"
            )
        if level < 1:
            raise ValueError(f"report.levels.{name} must be 1 or more (1: the top level)")
    for n, theme in enumerate(protocol.themes, start=1):
        problem = narrative_path_problem(theme.narrative)
        if problem:
            raise ValueError(f"themes[{n}].{problem}")
