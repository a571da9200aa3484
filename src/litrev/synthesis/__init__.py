"""Synthesis: claims, PRISMA flow, tables, charts, the consistency audit and the report.

>>> from litrev.synthesis import compute_results, write_report  # doctest: +SKIP
"""

from litrev.synthesis.audit import AuditEntry, run_audit
from litrev.synthesis.claims import Claim, load_claims
from litrev.synthesis.flow import Flow, FlowData, compute_flow
from litrev.synthesis.prisma import flow_diagram_svg
from litrev.synthesis.report import write_report
from litrev.synthesis.results import Results, compute_results

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
