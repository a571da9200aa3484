"""Themes of the synthesis: each `[[themes]]` entry's studies and the team's narrative.

A theme's studies are its `studies` (record ids or study labels) and, with `[report]
theme_field`, every study whose value of that field names the theme (its name, case and spacing
ignored; a multiple field may name several). Its narrative is a Markdown file in the review
folder (`narrative`, default `themes/<slug>.md`). Citations in it are `[@12]` (a record id) or
`[@Andreasson, 2017]` (a study label as the report prints it), several as `[@12; @15]`; the
report numbers them [1], [2] ... in order of first citation across the themes and lists the
references in that order. An unknown or ambiguous citation is refused with the file and line.
The Markdown is rendered with HTML escaped: raw HTML, images (the report opens offline) and
links other than http(s), mailto and in-page anchors do not pass.

>>> slug("Value co-creation & value-in-use")
'value-co-creation-value-in-use'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from litrev.errors import InputError, ProtocolError
from litrev.protocol import Protocol, Theme
from litrev.synthesis.report.markdown import MarkdownSafe

THEMES_DIR = "themes"
#: The first line of a stub written by `litrev themes init`: a narrative still holding it is
#: not written yet, and the report says so instead of printing the stub.
STUB_MARK = "(litrev stub: replace this text with the theme's narrative.)"
_MARKER = re.compile(r"\[@([^\[\]\n]+)\]")
_SAFE_SCHEME = re.compile(r"^(?:https?:|mailto:|#|/|\./|[^:/?#]+(?:[/?#]|$))", re.IGNORECASE)
_MD_LINK = re.compile(r"\]\(\s*<?([^()\s>]*(?:\([^()\s]*\))?[^()\s>]*)")
_MAX_BYTES = 2_000_000  # a narrative is prose; a bigger file is refused, not read


def slug(name: str) -> str:
    """A theme's file name stem: ASCII letters and digits, words joined by '-'.

    >>> slug("Power and agency: 'fugitive' co-production"), slug("Évaluation")
    ('power-and-agency-fugitive-co-production', 'evaluation')
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:80] or "theme"


def narrative_path(theme: Theme) -> str:
    """The theme's narrative file, relative to the review folder."""
    return theme.narrative or f"{THEMES_DIR}/{slug(theme.name)}.md"


def theme_members(
    protocol: Protocol,
    included: Sequence[int],
    labels: Mapping[int, str],
    coded: Mapping[int, list[str]] | None = None,
) -> tuple[list[list[int]], dict[str, int]]:
    """Each theme's studies (record ids, in the order given, then coded ones by record id), and
    the values of `[report] theme_field` that name no theme ({value: studies}).

    `coded` is each study's values of the theme field (`frequencies.study_values`). A `studies`
    entry that is no included study, or a label two studies share, raises `ProtocolError`.
    """
    by_label = _by_label(included, labels)
    known = set(included)
    members: list[list[int]] = []
    for n, theme in enumerate(protocol.themes, start=1):
        found: list[int] = []
        for entry in theme.studies:
            resolved = _resolve(entry, known, by_label, f"themes[{n}].studies")
            if isinstance(resolved, str):
                raise ProtocolError("litrev.toml", [resolved])
            if resolved not in found:
                found.append(resolved)
        members.append(found)
    unmatched: dict[str, int] = {}
    if coded:
        names = {_key(t.name): i for i, t in enumerate(protocol.themes)}
        names.update({slug(t.name): i for i, t in enumerate(protocol.themes)})
        for record_id in sorted(coded):
            if record_id not in known:
                continue
            for value in coded[record_id]:
                index = names.get(_key(value), names.get(slug(value)))
                if index is None:
                    unmatched[value] = unmatched.get(value, 0) + 1
                elif record_id not in members[index]:
                    members[index].append(record_id)
    return members, unmatched


def _by_label(included: Sequence[int], labels: Mapping[int, str]) -> dict[str, list[int]]:
    """{study label: the included record ids printed with it} (two studies may share one)."""
    by_label: dict[str, list[int]] = {}
    for record_id in included:
        by_label.setdefault(labels.get(record_id, ""), []).append(record_id)
    return by_label


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _resolve(
    entry: int | str, known: set[int], by_label: Mapping[str, list[int]], where: str
) -> int | str:
    """The record id `entry` names, or a message saying why it names none."""
    text = str(entry).strip().lstrip("@").strip()
    if isinstance(entry, int) or text.isdigit():
        record_id = int(text)
        if record_id in known:
            return record_id
        return f"{where}: record {record_id} is not an included study"
    found = by_label.get(text)
    if found and len(found) == 1:
        return found[0]
    if found:
        shown = ", ".join(str(r) for r in found)
        return f"{where}: the label {text!r} names {len(found)} studies (records {shown}); cite one by its record id"
    from rapidfuzz import process

    nearest = process.extractOne(text, [label for label in by_label if label])
    hint = f"; nearest label: {nearest[0]!r}" if nearest and nearest[1] >= 60 else ""
    return f"{where}: {text!r} is no included study's record id or label{hint}"


@dataclass
class Narrative:
    """One theme as the report shows it."""

    name: str
    category: str
    summary: str
    path: str  # relative to the review folder
    state: str  # "written", "stub" or "missing"
    studies: list[int]
    cited: list[int] = field(default_factory=list)  # record ids, in citation order
    html: Markup = field(default_factory=Markup)
    markdown: MarkdownSafe = field(default_factory=MarkdownSafe)


@dataclass
class ThemesSection:
    themes: list[Narrative] = field(default_factory=list)
    references: list[int] = field(default_factory=list)  # record ids, in citation order
    unmatched: dict[str, int] = field(default_factory=dict)

    @property
    def written(self) -> int:
        return sum(t.state == "written" for t in self.themes)

    def as_json(self) -> list[dict[str, object]]:
        """The `results.json` `themes` entry: each theme's studies and the numbers it cites."""
        numbers = {r: n for n, r in enumerate(self.references, start=1)}
        return [
            {
                "name": t.name,
                "category": t.category,
                "narrative": t.path,
                "narrative_state": t.state,
                "studies": t.studies,
                "cites": [numbers[r] for r in t.cited],
            }
            for t in self.themes
        ]


def _distinct_paths(protocol: Protocol) -> None:
    seen: dict[str, int] = {}
    for n, theme in enumerate(protocol.themes, start=1):
        path = narrative_path(theme)
        if path in seen:
            raise ProtocolError(
                "litrev.toml",
                [
                    f"themes[{seen[path]}] and themes[{n}] share the narrative file {path}; "
                    "give one of them a `narrative` path of its own"
                ],
            )
        seen[path] = n


def _read(root: Path, relative: str, explicit: bool) -> tuple[str, str]:
    """(state, text) of a narrative file; an explicitly named file that is missing is refused."""
    path = root / relative
    if not path.is_file():
        if explicit:
            raise InputError(
                str(path), "the narrative named by [[themes]] narrative does not exist"
            )
        return "missing", ""
    if path.stat().st_size > _MAX_BYTES:
        raise InputError(str(path), f"a narrative larger than {_MAX_BYTES:,} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            str(path), f"not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    if STUB_MARK in text:
        return "stub", text
    return "written", text


def _numbered(
    text: str,
    path: str,
    known: set[int],
    by_label: Mapping[str, list[int]],
    order: list[int],
    cited: list[int],
) -> tuple[str, str]:
    """(text for HTML, text for Markdown) with each `[@...]` marker as numbered citations;
    `order` (every narrative's citations so far) and `cited` (this one's) are extended."""
    html_lines, md_lines = [], []
    for line_no, line in enumerate(text.splitlines(), start=1):
        # Each marker is resolved once; the HTML and the Markdown text are spliced from the
        # same numbers (resolving again for the second text did every look-up twice).
        html_parts: list[str] = []
        md_parts: list[str] = []
        end = 0
        for match in _MARKER.finditer(line):
            numbers = []
            for part in match.group(1).split(";"):
                found = _resolve(part, known, by_label, "citation")
                if isinstance(found, str):
                    raise InputError(
                        path, f"[@{match.group(1)}]: {found.removeprefix('citation: ')}", line_no
                    )
                if found not in order:
                    order.append(found)
                if found not in cited:
                    cited.append(found)
                numbers.append(order.index(found) + 1)
            before = line[end : match.start()]
            links = ", ".join(f"[{n}](#theme-ref-{n})" for n in numbers)
            html_parts.append(f"{before}\\[{links}\\]")
            md_parts.append(f"{before}\\[{', '.join(str(n) for n in numbers)}\\]")
            end = match.end()
        html_lines.append("".join(html_parts) + line[end:])
        md_lines.append("".join(md_parts) + line[end:])
    return "\n".join(html_lines), "\n".join(md_lines)


def render_html(text: str) -> Markup:
    """Markdown as HTML with HTML escaped: no raw HTML, no images, safe links only; headings
    start at level 4 (the theme's own heading is level 3).

    >>> str(render_html("# Hi <script>x</script> [a](javascript:alert(1))"))
    '<h4>Hi &lt;script&gt;x&lt;/script&gt; [a](javascript:alert(1))</h4>\\n'
    """
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).disable("image")
    tokens = md.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + 3)}"
        for child in token.children or []:
            href = child.attrGet("href") if child.type == "link_open" else None
            if href is not None and not _SAFE_SCHEME.match(str(href)):
                child.attrSet("href", "#")
    # Safe: markdown-it escapes the text (html=False), and links were checked above.
    return Markup(md.renderer.render(tokens, md.options, {}))


def safe_markdown(text: str) -> MarkdownSafe:
    """The team's Markdown for `report.md`: `<` written as `&lt;` (no raw HTML), images shown as
    text, unsafe link targets replaced by `#`, headings moved below the theme's own.

    >>> print(safe_markdown("# A\\n<b>x</b> ![i](http://t/p.png) [l](javascript:x)"))
    #### A
    &lt;b>x&lt;/b> !\\[i](http://t/p.png) [l](#)
    """
    out, fence = [], ""
    for line in text.splitlines():
        stripped = line.lstrip()
        if fence:
            out.append(line.replace("<", "&lt;"))
            if stripped.startswith(fence):
                fence = ""
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            out.append(line.replace("<", "&lt;"))
            continue
        line = line.replace("<", "&lt;").replace("![", "!\\[")
        line = _MD_LINK.sub(lambda m: m.group(0) if _SAFE_SCHEME.match(m.group(1)) else "](#", line)
        if re.match(r"^ {0,3}#{1,6}(\s|$)", line):
            line = "###" + line.lstrip()
        out.append(line)
    return MarkdownSafe("\n".join(out))


def build_themes(
    root: Path,
    protocol: Protocol,
    included: Sequence[int],
    labels: Mapping[int, str],
    coded: Mapping[int, list[str]] | None = None,
) -> ThemesSection:
    """Every theme with its studies and its narrative rendered, and the references in citation
    order (record ids)."""
    _distinct_paths(protocol)
    members, unmatched = theme_members(protocol, included, labels, coded)
    by_label = _by_label(included, labels)
    known = set(included)
    order: list[int] = []
    section = ThemesSection(unmatched=unmatched)
    for theme, studies in zip(protocol.themes, members, strict=True):
        relative = narrative_path(theme)
        state, text = _read(root, relative, bool(theme.narrative))
        narrative = Narrative(theme.name, theme.category, theme.summary, relative, state, studies)
        if state == "written":
            html_text, md_text = _numbered(
                text, str(root / relative), known, by_label, order, narrative.cited
            )
            narrative.html = render_html(html_text)
            narrative.markdown = safe_markdown(md_text)
        section.themes.append(narrative)
    section.references = order
    return section


def stub_text(theme: Theme, studies: Sequence[int], labels: Mapping[int, str]) -> str:
    """What `litrev themes init` writes for a theme: the stub mark, how to cite, its studies."""
    lines = [
        STUB_MARK,
        "",
        f'Narrative of the theme "{theme.name}", in Markdown. Cite a study as [@record_id] or',
        "[@label] (several: [@3; @7]); the report numbers the citations and lists the references.",
    ]
    if theme.summary:
        lines += ["", f"Summary in the protocol: {theme.summary}"]
    lines += [
        "",
        "Studies of this theme:" if studies else "No study is assigned to this theme yet.",
    ]
    lines += [f"- [@{r}] {labels.get(r, f'record {r}')}" for r in studies]
    return "\n".join(lines) + "\n"


def init_stubs(
    root: Path,
    protocol: Protocol,
    included: Sequence[int],
    labels: Mapping[int, str],
    coded: Mapping[int, list[str]] | None = None,
) -> tuple[list[Path], list[Path]]:
    """Write a stub narrative for every theme whose file does not exist; never overwrite.
    Returns (written, kept)."""
    from litrev.fileio import atomic_write_text

    _distinct_paths(protocol)
    members, _ = theme_members(protocol, included, labels, coded)
    written, kept = [], []
    for theme, studies in zip(protocol.themes, members, strict=True):
        path = root / narrative_path(theme)
        if path.exists():
            kept.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, stub_text(theme, studies, labels))
        written.append(path)
    return written, kept
