"""`ics-text themes ...` and `ics-text search` end to end, checked through the Python API."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from ics_text.cli import app
from ics_text.paths import models_dir
from ics_text.store import Store
from themes_fixtures import CCN, DIGITAL, LGA, SEND, WORKFORCE, add, doc, encoder_model  # noqa: F401

runner = CliRunner()


def test_assign_files_prints_the_contract(tmp_path, encoder_model):
    good = tmp_path / "note.txt"
    good.write_text(f"Staffing in care\n\n{WORKFORCE}\n\nEnds.", encoding="utf-8")
    other = tmp_path / "send.txt"
    other.write_text(f"School budgets\n\n{SEND}", encoding="utf-8")
    missing = tmp_path / "nope.txt"
    result = runner.invoke(app, ["themes", "assign", str(good), str(missing), str(other),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["taxonomy"].endswith("themes.yaml")
    first, second, third = data["documents"]
    assert first["source"] == str(good) and first["errors"] == []
    from ics_text.collect.parse import parse_file

    text = parse_file(good).text
    for p in first["passages"]:
        assert set(p) == {"text", "start", "end", "themes"}
        assert text[p["start"]:p["end"]] == p["text"]
        assert [t["score"] for t in p["themes"]] == sorted((t["score"] for t in p["themes"]), reverse=True)
        assert all(set(t) == {"id", "name", "score"} and 0 <= t["score"] <= 1 for t in p["themes"])
    by_text = {p["text"]: [t["id"] for t in p["themes"]] for d in (first, third) for p in d["passages"]}
    assert "workforce" in by_text[WORKFORCE] and "children_send" in by_text[SEND]
    assert by_text["Ends."] == []
    assert second == {"source": str(missing), "title": None, "passages": [], "errors": second["errors"]}
    assert len(second["errors"]) == 1 and "nope.txt" in second["errors"][0]
    assert "nope.txt" in result.stderr
    # every file failing exits 1
    bad = runner.invoke(app, ["themes", "assign", str(missing)])
    assert bad.exit_code == 1 and json.loads(bad.stdout)["documents"][0]["errors"]


def test_build_list_show_trend_discover_search(tmp_path, encoder_model):
    db = str(tmp_path / "cli.db")
    with Store(db) as s:
        add(s, doc("a.txt", [WORKFORCE, DIGITAL], publisher=LGA, published="2022-04-01"))
        add(s, doc("b.txt", [SEND, "Councils cannot find school places for pupils with complex needs."],
                   publisher=CCN, published="2023-10-01"))
    r = runner.invoke(app, ["themes", "build", "--db", db, "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)[0]["passages_new"] == 4
    r = runner.invoke(app, ["themes", "build", "--db", db, "--format", "json"])
    assert json.loads(r.stdout)[0]["passages_new"] == 0

    r = runner.invoke(app, ["themes", "list", "--db", db, "--format", "csv"])
    assert r.exit_code == 0 and r.stdout.splitlines()[0].startswith("id,name,passages,documents")
    r = runner.invoke(app, ["themes", "list", "--db", db, "--format", "json"])
    rows = {x["id"]: x for x in json.loads(r.stdout)}
    assert rows["children_send"]["documents"] == 1

    r = runner.invoke(app, ["themes", "show", "children_send", "--db", db, "--format", "json",
                            "--publisher", "ccn"])
    shown = json.loads(r.stdout)
    assert shown["theme"]["id"] == "children_send"
    assert shown["passages"] and all(p["publisher"] == CCN for p in shown["passages"])
    assert set(shown["passages"][0]["themes"][0]) == {"id", "name", "score"}
    r = runner.invoke(app, ["themes", "show", "astrology", "--db", db])
    assert r.exit_code == 1 and "no theme 'astrology'" in r.stderr

    chart = tmp_path / "trend.svg"
    r = runner.invoke(app, ["themes", "trend", "all", "--by", "year", "--by", "publisher", "--db", db,
                            "--chart", str(chart), "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0].startswith("theme,period,publisher,passages,total_passages,share")
    assert chart.stat().st_size > 1000
    r = runner.invoke(app, ["themes", "trend", "workforce", "--by", "month", "--db", db])
    assert r.exit_code == 1 and "--by" in r.stderr

    r = runner.invoke(app, ["themes", "discover", "--db", db, "-k", "2", "--min-words", "3",
                            "--format", "json"])
    assert r.exit_code == 0, r.output
    found = json.loads(r.stdout)
    assert found["clustered"] == 4 and len(found["clusters"]) == 2 and len(found["members"]) == 4

    for mode in ("keyword", "semantic", "hybrid"):
        r = runner.invoke(app, ["search", "school places", "--mode", mode, "--db", db, "--format", "json"])
        assert r.exit_code == 0, r.output
        hits = json.loads(r.stdout)["results"]
        assert hits and "school" in hits[0]["text"].lower() and hits[0]["citation"]
    r = runner.invoke(app, ["search", "school", "--mode", "fuzzy", "--db", db])
    assert r.exit_code == 1 and "unknown mode" in r.stderr
    r = runner.invoke(app, ["search", "school", "--db", db, "--format", "csv", "--mode", "keyword"])
    assert r.stdout.splitlines()[0].startswith("rank,score,snippet")


def test_calibrate_writes_thresholds(tmp_path, encoder_model):
    tax = tmp_path / "themes.yaml"
    shutil.copy(models_dir() / "themes.yaml", tax)
    labelled = tmp_path / "labelled" / "site"
    labelled.mkdir(parents=True)
    passages = [{"text": WORKFORCE, "themes": ["workforce"]},
                {"text": SEND, "themes": ["children_send"]},
                {"text": DIGITAL, "themes": ["digital"]},
                {"text": "Press office: 020 0000 0000", "themes": []}]
    for i in range(2):
        (labelled / f"d{i}.json").write_text(json.dumps({"source": f"d{i}", "passages": passages}), "utf-8")
    (labelled / "broken.json").write_text("{not json", "utf-8")
    r = runner.invoke(app, ["themes", "calibrate", "--taxonomy", str(tax), "--labelled",
                            str(labelled.parent), "--dry-run", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert tax.read_text("utf-8") == (models_dir() / "themes.yaml").read_text("utf-8")
    result = json.loads(r.stdout)
    assert result["passages"] == 8 and not result["written"]
    assert "broken.json" in r.stderr
    r = runner.invoke(app, ["themes", "calibrate", "--taxonomy", str(tax), "--labelled", str(labelled.parent)])
    assert r.exit_code == 0, r.output
    from ics_text.themes.taxonomy import load_taxonomy

    written = {t.id: t.threshold for t in load_taxonomy(tax)}
    assert written["workforce"] == round(json.loads(
        runner.invoke(app, ["themes", "calibrate", "--taxonomy", str(tax), "--labelled",
                            str(labelled.parent), "--dry-run", "--format", "json"]).stdout)["thresholds"]["workforce"], 3)
    assert "# The seeded theme taxonomy" in tax.read_text("utf-8")


def test_main_job_runs_every_stage_and_a_rerun_does_no_work(tmp_path, encoder_model):
    """`ics-text run`: add, extract, themes, report; its summary lines are short sentences."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "send.txt").write_text(f"School budgets\n\n{SEND}\n\n{CCN}", encoding="utf-8")
    (folder / "staff.txt").write_text(f"Staffing in care\n\n{WORKFORCE}", encoding="utf-8")
    db, out = str(tmp_path / "main.db"), tmp_path / "out"
    first = runner.invoke(app, ["run", str(folder), "--db", db, "--report", str(out)])
    assert first.exit_code == 0, first.output
    line = next(s for s in first.output.splitlines() if s.startswith("themes: "))
    assert line.startswith("themes: 3 passages (3 new, ") and "with a theme" in line
    assert len(line) <= 80
    assert (out / "report.md").exists()
    again = runner.invoke(app, ["run", str(folder), "--db", db, "--report", str(out)])
    assert again.exit_code == 0, again.output
    assert "themes: 3 passages (0 new, 0 encoded)" in again.output
