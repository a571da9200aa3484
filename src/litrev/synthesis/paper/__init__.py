"""The paper's tables of included studies: built from the protocol's `[[report.tables]]`
(`tables.py`) and written as a Word document (`docx.py`) and an Excel workbook (`xlsx.py`), both
reproducible through `litrev.synthesis.ooxml`.
"""
