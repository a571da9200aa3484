"""The review's report and what it is built from: the results (`results.py`, written as
`results.json`), the claims (`claims.py`) and the consistency audit (`audit.py`,
`audit_passing.py`), the protocol-driven parts (`parts.py`), the strategy notes
(`search_notes.py`), display labels (`display.py`) and Markdown escaping (`markdown.py`), the
HTML/Markdown writer (`writer.py`, over `../templates/`) and the per-store-state cache the web
workspace reads (`cache.py`).
"""
