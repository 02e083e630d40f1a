"""`ics-text add/list/show` over real files, checked through the Python API."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from conftest import CORPUS
from ics_text import Corpus
from ics_text.cli import app

runner = CliRunner()

PAGE = """<html><head><link rel="canonical" href="https://www.countycouncilsnetwork.org.uk/{slug}/">
<title>{title}</title></head><body><main><h1>{title}</h1><p>CCN News 2023 | 04 April 2023</p>
<p>{body}</p><p>County leaders said the settlement left them with little room to plan ahead.</p></main></body></html>"""


def _batch(tmp_path):
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.html").write_text(PAGE.format(slug="good", title="Counties respond",
                                                  body="Counties welcomed the funding."), "utf-8")
    (folder / "sub" / "note.txt").write_text("A note\n\nCouncils face rising costs this year.", "utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (folder / "binary.html").write_bytes(bytes(range(256)) * 20)
    (folder / "image.png").write_bytes(b"\x89PNG not walked")
    return folder


def test_add_batch_with_bad_files(tmp_path, db_path):
    folder = _batch(tmp_path)
    result = runner.invoke(app, ["add", str(folder), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "added 2, changed 0, unchanged 0, failed 3" in err
    for name, reason in [("empty.txt", "empty"), ("broken.pdf", "corrupt or unreadable PDF"),
                         ("binary.html", "binary data")]:
        lines = [ln for ln in err.splitlines() if name in ln]
        assert len(lines) == 1 and reason in lines[0]
    with Corpus(db_path) as corpus:
        docs = list(corpus.documents())
        assert sorted(d.title for d in docs) == ["A note", "Counties respond"]
        page = next(d for d in docs if d.title == "Counties respond")
        assert page.publisher == "County Councils Network"
        assert page.published == "2023-04-04"
        assert page.url == "https://www.countycouncilsnetwork.org.uk/good/"
    again = runner.invoke(app, ["add", str(folder), "--db", str(db_path)])
    assert "added 0, changed 0, unchanged 2, failed 3" in again.stderr


def test_changed_file_gets_new_version(tmp_path, db_path):
    folder = _batch(tmp_path)
    runner.invoke(app, ["add", str(folder), "--db", str(db_path)])
    (folder / "good.html").write_text(PAGE.format(slug="good", title="Counties respond",
                                                  body="Counties welcomed the revised funding."), "utf-8")
    result = runner.invoke(app, ["add", str(folder / "good.html"), "--db", str(db_path)])
    assert "changed 1" in result.stderr
    with Corpus(db_path) as corpus:
        docs = [d for d in corpus.documents() if d.title == "Counties respond"]
        assert len(docs) == 1 and "revised" in docs[0].text
        assert len(corpus.store.versions(docs[0].id)) == 2


def test_all_files_failing_exits_1(tmp_path, db_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    result = runner.invoke(app, ["add", str(bad), str(tmp_path / "missing.html"), "--db", str(db_path)])
    assert result.exit_code == 1
    assert "missing.html: no such file" in result.stderr
    assert "Traceback" not in result.output


def test_manifest_supplies_metadata(tmp_path, db_path):
    site = tmp_path / "lga"
    (site / "about" / "news").mkdir(parents=True)
    (site / "about" / "news" / "x.html").write_text(
        "<html><body><main><h1>Councils call for reform</h1><p>" + "Councils want reform. " * 20 +
        "</p></main></body></html>", "utf-8")
    (site / "manifest.csv").write_text(
        "path,url,publisher,published,type,title\n"
        "about/news/x.html,https://www.local.gov.uk/about/news/x,Local Government Association,"
        "2024-02-01,press release,Councils call for reform\n", "utf-8")
    runner.invoke(app, ["add", str(tmp_path), "--db", str(db_path)])
    with Corpus(db_path) as corpus:
        (doc,) = corpus.documents()
        assert (doc.url, doc.publisher, doc.published, doc.type) == (
            "https://www.local.gov.uk/about/news/x", "Local Government Association", "2024-02-01",
            "press release")


def test_list_and_show_with_filters(tmp_path, db_path):
    site = tmp_path / "corpus"
    shutil.copytree(CORPUS, site, ignore=shutil.ignore_patterns("*.pdf"))
    runner.invoke(app, ["add", str(site), "--db", str(db_path)])
    result = runner.invoke(app, ["list", "--db", str(db_path), "--publisher", "lga", "--format", "json"])
    rows = json.loads(result.stdout)
    assert rows and all(r["publisher"] == "Local Government Association" for r in rows)
    dates = [r["published"] for r in rows]
    assert dates == sorted(dates)
    since = runner.invoke(app, ["list", "--db", str(db_path), "--since", "2023-01-01", "-f", "csv"])
    assert since.stdout.startswith("id,published,publisher,type,title,url")
    assert all(line.split(",")[1] >= "2023-01-01" for line in since.stdout.strip().splitlines()[1:])
    shown = runner.invoke(app, ["show", str(rows[0]["id"]), "--db", str(db_path), "-f", "json"])
    doc = json.loads(shown.stdout)[0]
    assert doc["title"] == rows[0]["title"] and doc["versions"][0]["version"] == 1
    missing = runner.invoke(app, ["show", "99999", "--db", str(db_path)])
    assert missing.exit_code == 1 and "no document with id 99999" in missing.stderr


def test_every_command_has_help():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    for name in names:
        sub = runner.invoke(app, [name, "--help"])
        assert sub.exit_code == 0 and "Usage" in sub.stdout


def test_corpus_api_runs_every_stage(tmp_path, db_path):
    """The Python API does what the CLI does: add, extract, themes, queries, search."""
    page = tmp_path / "release.txt"
    page.write_text(
        "Councils warn over care funding\n\n"
        "Nearly four in five councils expect to overspend on adult social care this year, the "
        "Local Government Association said.\n\n"
        "Cllr Jane Roe, chair of the LGA's Community Wellbeing Board, said: “One-year settlements "
        "make it impossible to plan. We need certainty.”\n\n"
        "The LGA is calling on the Government to publish a multi-year settlement for councils.", "utf-8")
    with Corpus(db_path) as corpus:
        assert corpus.add(page).counts()["added"] == 1
        summary = corpus.extract()
        assert summary["documents"] == 1
        assert [q["speaker"] for q in corpus.quotes()] == ["Jane Roe"]
        assert corpus.statistics()[0]["value"] == 80
        assert "multi-year settlement" in corpus.recommendations()[0]["text"]
        assert corpus.build_themes()["passages"] >= 3
        hits = corpus.search("planning settlements", mode="keyword")
        assert hits and "settlements" in hits[0]["snippet"].lower()
        assert corpus.extract()["documents"] == 0  # incremental
