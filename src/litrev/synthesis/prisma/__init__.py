"""The PRISMA 2020 flow: its counts and where each came from (`flow.py`, read from the review
database by `flow_data.py`), the checks that the boxes add up (`flow_checks.py`), and the flow
diagram: the box texts (`boxes.py`) placed by one layout model (`layout.py`), written as SVG
(`diagram.py`) and drawn as PNG/PDF with matplotlib (`export.py`).
"""
