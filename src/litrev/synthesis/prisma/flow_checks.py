"""Do the PRISMA boxes add up? One equation per step of each column, checked where it can be.

Left column (databases and registers):

- identified − removed before screening = screened
- screened − excluded − awaiting a title/abstract decision = reports sought
- sought − not retrieved − awaiting a full-text decision = reports assessed
- assessed − excluded (+ the other methods' assessed − excluded) = studies included

Right column (other methods): identified − found by databases too − excluded at title/abstract
− awaiting = sought; sought − not retrieved − awaiting = assessed.

A step with a count not reported is not checked, except removals before screening: those left
out count as none removed, and the explanation names them (PRISMA 2020 asks for them).
"""

from __future__ import annotations

from dataclasses import dataclass

from litrev.synthesis.prisma.flow import Count, Flow

AGREES = "agrees"
MISMATCH = "mismatch"
UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True)
class Term:
    label: str
    count: Count
    optional: bool = False  # not reported counts as zero, and is named
    plus: bool = False  # added, not subtracted

    def signed(self) -> int:
        value = self.count.value or 0
        return value if self.plus else -value


@dataclass(frozen=True)
class Equation:
    """`start − terms = result`, with what is known of each."""

    id: str
    start: Term
    terms: tuple[Term, ...]
    result: Term

    @property
    def unknown(self) -> list[str]:
        """Labels of required counts that are not reported (the step cannot be checked)."""
        required = [self.start, *[t for t in self.terms if not t.optional], self.result]
        return [t.label for t in required if not t.count.known]

    @property
    def not_reported(self) -> list[str]:
        """Optional counts not reported (taken as none)."""
        return [t.label for t in self.terms if t.optional and not t.count.known]

    @property
    def expected(self) -> int | None:
        if self.unknown:
            return None
        return (self.start.count.value or 0) + sum(t.signed() for t in self.terms)

    @property
    def status(self) -> str:
        if self.unknown:
            return UNVERIFIABLE
        return AGREES if self.expected == self.result.count.value else MISMATCH

    @property
    def text(self) -> str:
        """The equation in words: `reports sought − reports not retrieved = reports assessed`."""
        terms = "".join(f" {'+' if t.plus else '−'} {t.label}" for t in self.terms)
        return f"{self.start.label}{terms} = {self.result.label}"

    def explanation(self) -> str:
        """The numbers, and what is wrong when the step does not add up.

        >>> eq = Equation("e", Term("sought", Count(13, "data")),
        ...               (Term("not retrieved", Count(0, "data")),), Term("assessed", Count(11, "data")))
        >>> eq.explanation()
        'sought − not retrieved = assessed: 13 − 0 = 13, but assessed is 11 (2 unaccounted for)'
        """
        if self.unknown:
            return f"{self.text}: not checked, {', '.join(self.unknown)} not reported"
        numbers = f"{self.start.count.value or 0:,}" + "".join(
            f" {'+' if t.plus else '−'} {t.count.value or 0:,}" for t in self.terms
        )
        shown = f"{self.text}: {numbers} = {self.expected:,}"
        if self.status == AGREES:
            return shown
        gap = (self.expected or 0) - (self.result.count.value or 0)
        what = (
            f"{abs(gap):,} unaccounted for"
            if gap > 0
            else f"{-gap:,} more than the boxes above give"
        )
        return f"{shown}, but {self.result.label} is {self.result.count.value:,} ({what})"


def _n(value: int) -> Count:
    return Count(value, "data")


def flow_equations(flow: Flow) -> list[Equation]:
    """Every step of the flow as an equation (checked or not).

    >>> from litrev.protocol import parse_protocol
    >>> from litrev.synthesis.prisma.flow import FlowData, compute_flow
    >>> p = parse_protocol('[review]\\nid="x"\\ntitle="x"\\n[flow]\\nreports_sought=13\\n'
    ...                    'reports_not_retrieved=1\\nfull_text_assessed=11')
    >>> [e.status for e in flow_equations(compute_flow(p, FlowData()))]
    ['unverifiable', 'unverifiable', 'mismatch', 'unverifiable']
    """
    progress, other = flow.progress, flow.other
    equations = [
        Equation(
            "prisma-identified-vs-screened",
            Term("records identified", flow.identified),
            (
                Term("duplicates removed", flow.duplicates_removed, optional=True),
                Term("marked ineligible by automation", flow.automation_removed, optional=True),
                Term("removed for other reasons", flow.other_removed, optional=True),
            ),
            Term("records screened", flow.records_screened),
        ),
        Equation(
            "prisma-screened-vs-sought",
            Term("records screened", flow.records_screened),
            (
                Term("records excluded", flow.title_abstract_excluded),
                Term("awaiting a title/abstract decision", _n(progress.title_abstract_pending)),
            ),
            Term("reports sought", flow.reports_sought),
        ),
        Equation(
            "prisma-sought-vs-assessed",
            Term("reports sought", flow.reports_sought),
            (
                Term("reports not retrieved", flow.reports_not_retrieved),
                Term("awaiting a full-text decision", _n(progress.full_text_pending)),
            ),
            Term("reports assessed", flow.full_text_assessed),
        ),
    ]
    included_terms = [Term("reports excluded", flow.full_text_excluded)]
    start = Term("reports assessed", flow.full_text_assessed)
    if other.present:
        # Other methods' included studies join the same "studies included" box.
        other_included = (
            other.included
            if other.included.known
            else Count(
                (other.full_text_assessed.value or 0) - (other.full_text_excluded.value or 0),
                "derived",
            )
            if other.full_text_assessed.known and other.full_text_excluded.known
            else Count(None, "not reported")
        )
        included_terms.append(Term("studies included via other methods", other_included, plus=True))
    equations.append(
        Equation(
            "prisma-assessed-vs-included",
            start,
            tuple(included_terms),
            Term("studies included", flow.included),
        )
    )
    if other.present:
        equations += [
            Equation(
                "prisma-other-identified-vs-sought",
                Term("records identified via other methods", other.identified),
                (
                    Term("also found by databases", other.also_in_databases, optional=True),
                    Term(
                        "excluded at title/abstract", other.title_abstract_excluded, optional=True
                    ),
                    Term(
                        "awaiting a title/abstract decision",
                        _n(other.progress.title_abstract_pending),
                    ),
                ),
                Term("reports sought via other methods", other.reports_sought),
            ),
            Equation(
                "prisma-other-sought-vs-assessed",
                Term("reports sought via other methods", other.reports_sought),
                (
                    Term("not retrieved", other.reports_not_retrieved),
                    Term("awaiting a full-text decision", _n(other.progress.full_text_pending)),
                ),
                Term("reports assessed via other methods", other.full_text_assessed),
            ),
        ]
    return equations


def failing_equations(flow: Flow) -> list[Equation]:
    """The steps that are checked and do not add up."""
    return [e for e in flow_equations(flow) if e.status == MISMATCH]
