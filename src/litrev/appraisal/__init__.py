"""Quality appraisal: built-in checklists (CASP qualitative, MMAT 2018, JBI) as codebooks.

`litrev.appraisal.tools` loads the tools, `litrev.appraisal.adopt` writes one into a protocol;
`litrev.synthesis.appraisal_summary` summarises the ratings for the report. This package is
imported by `litrev.protocol`, so it imports nothing heavy.
"""

from litrev.appraisal.settings import AppraisalSettings
from litrev.appraisal.tools import Domain, Item, Tool, load_tools, tool, tool_names

__all__ = ["AppraisalSettings", "Domain", "Item", "Tool", "load_tools", "tool", "tool_names"]
