"""One module per export format: its reader (text → records, every field kept in `raw`) and,
where litrev writes the format, its writer. `litrev.records.io` picks among them; the modules
beside this package (`importer`, `imports`, `export`, `listing`, ...) are the review side.
"""
