"""`ics-text extract PATH ...` as a user runs it: JSON per the contract, bad files, exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "ics-text"

ENTRY_KEYS = {"source", "title", "publisher", "published", "quotes", "statistics", "recommendations", "errors"}
FIELDS = {
    "quotes": {"text", "speaker", "speaker_role", "speaker_org", "cue", "partial", "start", "end"},
    "statistics": {"text", "kind", "value", "unit", "qualifier", "numerator", "denominator", "per", "period",
                   "subject", "sentence", "start", "end"},
    "recommendations": {"text", "actor", "target", "kind", "start", "end"},
}

RELEASE = """Care leaders call for certainty

The Downland Care Forum has published a survey of 64 care home managers. More than half said they had turned away a hospital discharge in the past month.

Priya Sandhu, chair of the forum, said: \u2018We are being asked to plan on a one-year budget. That is no way to run a service.\u2019

The forum urged the Department of Health and Social Care to set out funding for the next three years.
"""


def run(*args: str) -> subprocess.CompletedProcess:
    cmd = [str(CLI)] if CLI.exists() else [sys.executable, "-m", "ics_text"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, cwd=ROOT, timeout=600)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("extract")
    good = d / "release.txt"
    good.write_text(RELEASE, encoding="utf-8")
    empty = d / "empty.txt"
    empty.write_bytes(b"")
    binary = d / "data.bin"
    binary.write_bytes(bytes(range(256)) * 20)
    corrupt = d / "broken.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer garbage")
    html = d / "page.html"
    html.write_text("<html><head><title>Leaders respond</title></head><body><main><h1>Leaders respond</h1>"
                    "<p>The Downland Care Forum is calling on ministers to publish the workforce plan.</p>"
                    "<p>Around 40% of managers said staffing was their biggest worry.</p></main></body></html>",
                    encoding="utf-8")
    return {"good": good, "empty": empty, "binary": binary, "corrupt": corrupt, "html": html,
            "missing": d / "missing.txt"}


@pytest.fixture(scope="module")
def mixed(files):
    """One run over good and bad files together."""
    paths = [str(files[k]) for k in ("good", "missing", "empty", "binary", "corrupt", "html")]
    return paths, run("extract", *paths, "--format", "json")


def test_one_json_object_with_an_entry_per_file(mixed):
    paths, out = mixed
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)  # stdout is the JSON object and nothing else
    assert list(data) == ["documents"]
    assert [e["source"] for e in data["documents"]] == paths
    for e in data["documents"]:
        assert set(e) == ENTRY_KEYS
        for kind, keys in FIELDS.items():
            for rec in e[kind]:
                assert set(rec) == keys
    assert "Traceback" not in out.stdout + out.stderr


def test_findings_and_offsets_into_the_plain_text(mixed, files):
    from ics_text.collect.parse import parse_file

    _, out = mixed
    docs = {e["source"]: e for e in json.loads(out.stdout)["documents"]}
    for key in ("good", "html"):
        entry = docs[str(files[key])]
        assert entry["errors"] == []
        plain = parse_file(files[key]).text  # what `ics-text text PATH` prints
        n = 0
        for kind in FIELDS:
            for rec in entry[kind]:
                assert plain[rec["start"]:rec["end"]] == rec["text"]
                n += 1
        assert n >= 2
    good = docs[str(files["good"])]
    assert good["title"] == "Care leaders call for certainty"
    assert any(q["speaker"] == "Priya Sandhu" for q in good["quotes"])
    assert any(s["kind"] == "proportion" and s["qualifier"] == "more than" for s in good["statistics"])
    assert [(r["kind"], r["target"]) for r in good["recommendations"]] == \
           [("call", "Department of Health and Social Care")]


@pytest.mark.parametrize("key, words", [("missing", "no such file"), ("empty", "empty"),
                                        ("binary", "binary"), ("corrupt", "PDF")])
def test_bad_files_get_an_entry_with_a_clear_error(mixed, files, key, words):
    _, out = mixed
    entry = next(e for e in json.loads(out.stdout)["documents"] if e["source"] == str(files[key]))
    assert not any(entry[k] for k in FIELDS)
    assert len(entry["errors"]) == 1
    msg = entry["errors"][0]
    assert str(files[key]) in msg and words.lower() in msg.lower() and "\n" not in msg


def test_exit_1_only_when_every_file_failed(files):
    out = run("extract", str(files["missing"]), str(files["empty"]), str(files["corrupt"]))
    assert out.returncode == 1
    data = json.loads(out.stdout)
    assert len(data["documents"]) == 3 and all(e["errors"] for e in data["documents"])
    assert "Traceback" not in out.stdout + out.stderr


def test_csv_and_table_formats(files):
    out = run("extract", str(files["good"]), str(files["missing"]), "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert {r["type"] for r in rows} == {"quote", "statistic", "recommendation"}
    assert all(r["source"] == str(files["good"]) for r in rows)
    assert "no such file" in out.stderr  # errors go to stderr in csv/table
    table = run("extract", str(files["good"]), "--format", "table")
    assert table.returncode == 0 and "recommendations" in table.stdout
    bad = run("extract", str(files["good"]), "--format", "xml")
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
