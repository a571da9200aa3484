"""The included studies as a filterable catalogue with facet counts (`catalogue.py`) and as an
evidence-and-gap map of any two coded fields (`gapmap.py`), written as one self-contained,
offline HTML file (`gapmap_html.py`, over `../templates/gapmap.html.j2`).
"""
