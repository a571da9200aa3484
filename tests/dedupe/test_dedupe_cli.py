"""`litrev dedupe`: --input/--clusters CSV without a review, and a review's run/review/undo."""

import csv
from pathlib import Path

from typer.testing import CliRunner

from litrev.cli import app
from litrev.project import Project
from litrev.records import import_files

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def text(output: str) -> str:
    """Terminal output with rich's line wrapping undone."""
    return " ".join(output.split())


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_input_files_give_one_row_per_record(tmp_path: Path) -> None:
    out, queue = tmp_path / "clusters.csv", tmp_path / "queue.csv"
    files = [DATA / "medline_sample.ris", DATA / "scopus_sample.csv", DATA / "no_ids.ris"]
    # Several files after one --input, as the issue writes it.
    result = runner.invoke(app, ["dedupe", "--input", *map(str, files), "--clusters", str(out),
                                 "--queue", str(queue)])
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert [r["record_id"] for r in rows] == ["101", "102", "103", "S1", "S2", "S3", "0", "1"]
    assert [Path(r["file"]).name for r in rows] == ["medline_sample.ris"] * 3 + [
        "scopus_sample.csv"] * 3 + ["no_ids.ris"] * 2
    cluster = {(Path(r["file"]).name, r["record_id"]): r["cluster_id"] for r in rows}
    assert cluster[("medline_sample.ris", "101")] == cluster[("scopus_sample.csv", "S1")]
    assert cluster[("medline_sample.ris", "103")] == cluster[("scopus_sample.csv", "S2")]
    assert cluster[("scopus_sample.csv", "S3")] == cluster[("no_ids.ris", "0")]
    assert cluster[("medline_sample.ris", "102")] != cluster[("medline_sample.ris", "101")]
    assert len(set(cluster.values())) == 5
    assert read_rows(queue) == []


def test_input_repeated_flag_and_errors(tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    result = runner.invoke(app, ["dedupe", "--input", str(DATA / "no_ids.ris"), "--input",
                                 str(DATA / "uncertain.ris"), "--clusters", str(out)])
    assert result.exit_code == 0, result.output
    assert len(read_rows(out)) == 4
    missing = runner.invoke(app, ["dedupe", "--input", str(tmp_path / "nope.ris"),
                                  "--clusters", str(out)])
    assert missing.exit_code != 0
    assert "nope.ris" in str(missing.exception) + missing.output


def test_review_project_run_review_undo(tmp_path: Path) -> None:
    project = Project.init(tmp_path / "review")
    import_files(project.store, [DATA / "medline_sample.ris", DATA / "uncertain.ris"], actor="t")
    folder = str(project.root)
    result = runner.invoke(app, ["dedupe", "-p", folder, "--reviewer", "ana"])
    assert result.exit_code == 0, result.output
    assert "1 pairs queued" in text(result.output)
    again = runner.invoke(app, ["dedupe", "-p", folder])
    assert "No change" in text(again.output)
    # Interactive review: answer "same" to the one queued pair.
    review = runner.invoke(app, ["dedupe", "review", "-p", folder, "--reviewer", "ana"],
                           input="s\n")
    assert review.exit_code == 0, review.output
    assert "Recorded: same" in text(review.output)
    shown = runner.invoke(app, ["dedupe", "show", "4", "-p", folder])
    assert shown.exit_code == 0, shown.output
    assert "Merged record" in text(shown.output)
    history = runner.invoke(app, ["dedupe", "history", "-p", folder])
    assert "review" in text(history.output)
    undone = runner.invoke(app, ["dedupe", "undo", "-p", folder])
    assert undone.exit_code == 0 and "Undid action" in text(undone.output)
    flagged = runner.invoke(app, ["dedupe", "review", "-p", folder, "--pair", "4", "5",
                                  "--decision", "different"])
    assert flagged.exit_code == 0, flagged.output
    assert "are different" in text(flagged.output)
