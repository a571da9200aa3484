"""Fuzzing every reader and the protocol loader with mutated real files.

Every format `litrev.records.detect.FORMATS` names (new readers are picked up when they are
registered there), plus format detection, reads mutated copies of the real exports in
`../shared/samples/exports` and `tests/records/data`, with and without `skip_invalid`. The
only exception allowed is `InputError` (`ProtocolError` for `litrev.toml`), and each input
must be read within `BUDGET_SECONDS + BUDGET_SECONDS_PER_MB * size + BUDGET_SECONDS_PER_LINE *
lines` of CPU time (1 s + 3 s per MB + 20 us per line).

In the suite this takes well under two minutes (`EXAMPLES` inputs per reader, the same every
run under CI). The long run, spread over every reader:

    LITREV_FUZZ_SECONDS=1800 LITREV_FUZZ_REPORT=fuzz.json nice -n 10 .venv/bin/pytest tests/fuzz

keeps going after a failure, writes each failing input (and each reader's slowest input per MB)
to `LITREV_FUZZ_CRASHES` (default `fuzz-crashes/`) and the counts, slowest inputs and failures
to `LITREV_FUZZ_REPORT`.
"""

from __future__ import annotations

import json
import os
import random
import resource
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litrev.errors import InputError, ProtocolError
from litrev.protocol import load_protocol, parse_protocol
from litrev.records import io as records_io
from litrev.records.detect import FORMATS

from .mutations import mutate

REPO = Path(__file__).resolve().parents[2]
SEED_DIRS = [REPO.parent / "shared" / "samples" / "exports", REPO / "tests" / "records" / "data"]
PROTOCOL_SEEDS = [
    REPO / "src" / "litrev" / "examples" / "coproduction_models" / "litrev.toml",
    REPO / "tests" / "acceptance" / "protocol.toml",
]
SEED_BYTES = 48_000  # each seed's head, cut at a line end: small inputs, many of them
EXAMPLES = int(os.environ.get("LITREV_FUZZ_EXAMPLES", "50"))
LONG_SECONDS = float(os.environ.get("LITREV_FUZZ_SECONDS", "0"))
BUDGET_SECONDS = 1.0
# The readers take 0.05-0.4 s of CPU per MB: a tenfold margin, yet a quadratic reader spends
# more than this on a 1 MB input (the EndNote unclosed-record search took 10 s per MB).
BUDGET_SECONDS_PER_MB = 3.0
# ... plus a constant per line, for files of tiny records: every record is an object of about
# 1 KB built in 10-15 us, so a megabyte of one-character CSV rows (500,000 records) takes 7 s.
BUDGET_SECONDS_PER_LINE = 20e-6


def reader_formats() -> list[str | None]:
    """Every format a reader is registered for, and None (detection)."""
    names = set(FORMATS) | set(getattr(records_io, "_TEXT_PARSERS", {}))
    return [None, *sorted(names)]


def _head(data: bytes) -> bytes:
    if len(data) <= SEED_BYTES or data.startswith(b"PK"):
        return data
    cut = data.rfind(b"\n", 0, SEED_BYTES)
    return data[: cut + 1 if cut > 0 else SEED_BYTES]


def _xlsx_seed() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["title", "abstract", "authors", "year", "doi", "included"])
    for n in range(30):
        sheet.append(
            [f"Title {n}", "An abstract " * 5, "Li, W; Dou, Z", 2000 + n, f"10.1/{n}", n % 2]
        )
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"litrev-fuzz-seed-{os.getpid()}.xlsx"
    book.save(out)
    data = out.read_bytes()
    out.unlink()
    return data


@dataclass
class Seeds:
    files: dict[str, bytes]  # name -> bytes
    by_format: dict[str, list[str]]  # detected format -> names


_SEEDS: Seeds | None = None


def seeds() -> Seeds:
    global _SEEDS
    if _SEEDS is None:
        files: dict[str, bytes] = {}
        for folder in SEED_DIRS:
            if folder.is_dir():
                for path in sorted(folder.rglob("*")):
                    if path.is_file() and path.suffix.lower() != ".md":
                        files[str(path.relative_to(folder.parent))] = _head(path.read_bytes())
        files["generated/records.xlsx"] = _xlsx_seed()
        by_format: dict[str, list[str]] = {}
        scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"litrev-fuzz-{os.getpid()}"
        scratch.mkdir(exist_ok=True)
        for name, data in files.items():
            path = scratch / Path(name).name
            path.write_bytes(data)
            try:
                detected = records_io.read_report(path, skip_invalid=True).format
            except InputError:
                continue
            finally:
                path.unlink()
            by_format.setdefault(detected, []).append(name)
        scratch.rmdir()
        _SEEDS = Seeds(files, by_format)
    return _SEEDS


def _seeds_for(fmt: str | None) -> list[str]:
    """A reader's own samples first (its format, or its family: json, csv), then all."""
    found = seeds()
    if fmt is None:
        return sorted(found.files)
    own = [
        name
        for detected, names in found.by_format.items()
        for name in names
        if detected == fmt or detected.split("-")[0] == fmt.split("-")[0]
    ]
    return own or sorted(found.files)


@dataclass
class Stats:
    inputs: int = 0
    bytes: int = 0
    errors: int = 0  # inputs refused with InputError
    slowest_per_mb: float = 0.0
    slowest_input: str = ""
    failures: list[str] = field(default_factory=list)


STATS: dict[str, Stats] = {}


def _stats(name: str) -> Stats:
    return STATS.setdefault(name, Stats())


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    started = time.time()
    yield
    target = os.environ.get("LITREV_FUZZ_REPORT")
    if target:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        document = {
            "seconds": round(time.time() - started, 1),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "max_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "cpus": os.cpu_count(),
            "readers": {name: vars(stat) for name, stat in sorted(STATS.items())},
        }
        Path(target).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def _save_crash(name: str, data: bytes, error: BaseException) -> str:
    folder = Path(os.environ.get("LITREV_FUZZ_CRASHES", "fuzz-crashes"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name.replace('/', '_')}-{len(list(folder.iterdir()))}.bin"
    path.write_bytes(data)
    path.with_suffix(".txt").write_text("".join(traceback.format_exception(error)), "utf-8")
    return str(path)


def _timed(name: str, data: bytes, action: Callable[[], object], allowed: type[Exception]) -> None:
    """Run one input; only `allowed` may escape; CPU time within the budget for its size."""
    stat = _stats(name)
    start = time.process_time()
    try:
        action()
    except allowed:
        stat.errors += 1
    except Exception as error:
        if LONG_SECONDS:
            crash = _save_crash(name, data, error)
            stat.failures.append(f"{type(error).__name__}: {str(error)[:300]} -> {crash}")
        raise
    elapsed = time.process_time() - start
    megabytes = len(data) / 1e6
    stat.inputs += 1
    stat.bytes += len(data)
    per_mb = elapsed / max(megabytes, 0.01)  # inputs under 10 KB count as 10 KB
    if per_mb > stat.slowest_per_mb:
        stat.slowest_per_mb, stat.slowest_input = per_mb, f"{len(data):,} bytes, {elapsed:.3f} s"
        if LONG_SECONDS:  # kept for a look at what is slow
            folder = Path(os.environ.get("LITREV_FUZZ_CRASHES", "fuzz-crashes"))
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"slowest-{name}.bin").write_bytes(data)
    lines = data.count(b"\n") + data.count(b"\r")  # UTF-16 newlines hold a \n byte too
    budget = BUDGET_SECONDS + BUDGET_SECONDS_PER_MB * megabytes + BUDGET_SECONDS_PER_LINE * lines
    if elapsed > budget:
        message = f"{name}: {len(data):,} bytes took {elapsed:.2f} s of CPU (budget {budget:.2f} s)"
        if LONG_SECONDS:
            stat.failures.append(message + " -> " + _save_crash(name, data, TimeoutError(message)))
        raise AssertionError(message)


def _run(name: str, make_test: Callable[[], Callable[[], None]], share: float) -> None:
    """The suite: `EXAMPLES` inputs. The long run: repeat until this reader's share of
    LITREV_FUZZ_SECONDS is spent, recording failures instead of stopping at the first.
    `make_test` gives a fresh hypothesis test each time (settings apply once per test)."""
    if not LONG_SECONDS:
        settings(max_examples=EXAMPLES, suppress_health_check=list(HealthCheck))(make_test())()
        return
    deadline = time.monotonic() + LONG_SECONDS * share
    while time.monotonic() < deadline:
        chunk = settings(
            max_examples=200,
            derandomize=False,
            database=None,
            suppress_health_check=list(HealthCheck),
            deadline=None,
        )(make_test())
        try:
            chunk()
        except Exception:  # a failing input is recorded in STATS: fuzz on
            if not _stats(name).failures:  # not from an input (a harness error): stop
                raise
    assert not _stats(name).failures, "\n".join(_stats(name).failures[:20])


FORMATS_FUZZED = reader_formats()
_SHARE = 1.0 / (len(FORMATS_FUZZED) + 1)  # + the protocol loader


@pytest.mark.parametrize("fmt", FORMATS_FUZZED, ids=lambda f: f or "detect")
def test_reader_refuses_only_with_input_error(
    fmt: str | None, tmp_path_factory: pytest.TempPathFactory, shared_dir: Path
) -> None:
    found = seeds()
    own = _seeds_for(fmt)
    everything = sorted(found.files)
    folder = tmp_path_factory.mktemp("fuzz")
    name = fmt or "detect"

    others = [found.files[n] for n in own[:8]]

    def make() -> Callable[[], None]:
        @given(
            seed=st.one_of(st.sampled_from(own), st.sampled_from(everything)),
            rnd=st.randoms(use_true_random=False),
            skip_invalid=st.booleans(),
        )
        def check(seed: str, rnd: random.Random, skip_invalid: bool) -> None:
            data = mutate(found.files[seed], rnd, others)
            path = folder / ("input" + Path(seed).suffix)
            path.write_bytes(data)
            _timed(
                name,
                data,
                lambda: records_io.read_report(path, fmt, skip_invalid=skip_invalid),
                InputError,
            )

        return check  # type: ignore[no-any-return]

    _run(name, make, _SHARE)


def test_protocol_loader_refuses_only_with_protocol_error(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    texts = [p.read_bytes() for p in PROTOCOL_SEEDS if p.is_file()]
    folder = tmp_path_factory.mktemp("fuzz-protocol")

    def make() -> Callable[[], None]:
        @given(seed=st.sampled_from(range(len(texts))), rnd=st.randoms(use_true_random=False))
        def check(seed: int, rnd: random.Random) -> None:
            data = mutate(texts[seed], rnd, texts)
            path = folder / "litrev.toml"
            path.write_bytes(data)

            def load() -> Any:
                return load_protocol(path)  # from the file: UTF-8 decoding, then parsing

            _timed("protocol", data, load, ProtocolError)
            text = data.decode("utf-8", errors="replace")
            _timed("protocol", data, lambda: parse_protocol(text), ProtocolError)

        return check  # type: ignore[no-any-return]

    _run("protocol", make, _SHARE)
