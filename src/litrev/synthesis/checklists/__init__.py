"""The PRISMA 2020 and PRISMA-S checklists: the items as published (`data/*.toml`), what litrev
can answer of each (`fill.py`), and the filled checklist written as Markdown and DOCX
(`checklist.py`).
"""
