"""Synthesis: claims, PRISMA flow, tables, charts, the consistency audit and the report.

>>> from litrev.synthesis import compute_results, write_report  # doctest: +SKIP
"""

from litrev.synthesis.prisma.diagram import flow_diagram_svg
from litrev.synthesis.prisma.flow import Flow, FlowData, compute_flow
from litrev.synthesis.report.audit import AuditEntry, run_audit
from litrev.synthesis.report.claims import Claim, load_claims
from litrev.synthesis.report.results import Results, compute_results
from litrev.synthesis.report.writer import write_report

__all__ = [
    "AuditEntry",
    "Claim",
    "Flow",
    "FlowData",
    "Results",
    "compute_flow",
    "compute_results",
    "flow_diagram_svg",
    "load_claims",
    "run_audit",
    "write_report",
]
