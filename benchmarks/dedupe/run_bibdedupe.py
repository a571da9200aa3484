"""Run bib-dedupe on one records CSV; print JSON {"clusters": [[ids...]], "seconds": s}.

Runs inside bib-dedupe's own venv (see setup_bibdedupe.sh), never litrev's. Usage:
    /work/venvs/bibdedupe/bin/python run_bibdedupe.py records.csv [--cpu N]
"""

import json
import sys
import time

import pandas as pd
from bib_dedupe.bib_dedupe import block, cluster, match, prep


def main() -> None:
    path = sys.argv[1]
    cpu = int(sys.argv[sys.argv.index("--cpu") + 1]) if "--cpu" in sys.argv else -1
    records = pd.read_csv(path, dtype=str, keep_default_na=False)
    start = time.perf_counter()
    prepared = prep(records, verbosity_level=0, cpu=cpu)
    pairs = block(prepared, verbosity_level=0, cpu=cpu)
    matched = match(pairs, verbosity_level=0, cpu=cpu)
    clusters = cluster(matched, verbosity_level=0)  # "maybe" pairs are left unmerged
    seconds = time.perf_counter() - start
    print(json.dumps({"clusters": [sorted(map(str, c)) for c in clusters], "seconds": seconds}))


if __name__ == "__main__":
    main()
