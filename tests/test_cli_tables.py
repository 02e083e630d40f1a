"""Tables on screen fit the terminal: one line per row, long text cut with an ellipsis, short
columns whole, and the full text in --format csv|json. Run as a user runs them (a subprocess with
COLUMNS set), plus the layout itself over many shapes and widths."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "ics-text"
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def run(*args: str, columns: int = 80) -> subprocess.CompletedProcess:
    cmd = [str(CLI)] if CLI.exists() else [sys.executable, "-m", "ics_text"]
    env = dict(os.environ, COLUMNS=str(columns))
    return subprocess.run([*cmd, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("tables") / "t.db")
    added = run("add", str(ROOT / "corpus" / "ccn"), "--db", path)
    assert added.returncode == 0, added.stderr
    return path


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_list_fits_the_terminal(db, columns):
    table = run("list", "--db", db, columns=columns)
    assert table.returncode == 0, table.stderr
    assert widest(table.stdout) <= columns
    rows = json.loads(run("list", "--db", db, "-f", "json").stdout)
    body = [line for line in table.stdout.splitlines() if DATE.search(line)]
    # One line per document, each with its id and date whole (short columns are never cut).
    assert len(body) == len(rows)
    for line, row in zip(body, rows):
        assert line.split()[0] == str(row["id"]) and DATE.search(line).group() == row["published"]
    # Titles are longer than any terminal here gives them: cut with an ellipsis, and said so.
    assert "…" in table.stdout
    assert "--format csv or json has every column in full" in " ".join(table.stdout.split())


def test_csv_keeps_what_the_table_cuts(db):
    table = run("list", "--db", db, columns=80).stdout
    rows = list(csv.DictReader(io.StringIO(run("list", "--db", db, "-f", "csv").stdout)))
    longest = max((r["title"] for r in rows), key=len)
    assert len(longest) > 40 and longest not in table
    assert longest[:20] in table  # the table shows its start


def test_narrow_terminal_leaves_columns_out_and_says_which(db):
    table = run("list", "--db", db, columns=50)
    assert widest(table.stdout) <= 50
    caption = " ".join(table.stdout.split())
    assert "left out at this width: type, url" in caption and "…" in table.stdout
    assert "https://" not in table.stdout


def test_wide_terminal_shows_everything_whole(db):
    rows = json.loads(run("list", "--db", db, "-f", "json").stdout)
    table = run("list", "--db", db, columns=400).stdout
    assert "…" not in table and "left out" not in table
    assert all(r["title"] in table and r["url"] in table for r in rows)


def test_numbers_are_whole_and_right_aligned(db):
    table = run("list", "--db", db, "--limit", "12", columns=80).stdout
    ids = [line[:2] for line in table.splitlines() if DATE.search(line)]
    assert " 8" in ids and "10" in ids  # one- and two-digit ids end in the same column


# -- the layout over many shapes --------------------------------------------------------------------

def render(columns, cells, width, numeric=frozenset()):
    from rich.console import Console

    from ics_text.cli.tables import fit_table

    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None).print(fit_table(columns, cells, width, set(numeric)))
    return buf.getvalue()


def test_no_shape_overflows_any_width():
    rng = random.Random(7)
    names = ["text", "title", "id", "published", "speaker_role", "value", "kind", "url"]

    def words(n):
        return " ".join("x" * rng.randint(1, 12) for _ in range(n))

    for _ in range(150):
        columns = [f"{rng.choice(names)}{k}" for k in range(rng.randint(1, 9))] + ["text"]
        numeric = {c for c in columns if rng.random() < 0.3}
        cells = [[str(rng.randint(0, 10 ** 9)) if c in numeric else words(rng.randint(0, 40)) for c in columns]
                 for _ in range(rng.randint(0, 4))]
        for width in (30, 50, 80, 120, 200):
            assert widest(render(columns, cells, width, numeric) or " ") <= width


def test_text_gets_a_third_and_short_columns_stay_whole():
    long_text = "the council said that funding must be settled for three years " * 5
    cells = [["2024-05-01", "call", "Local Government Association", long_text, "12345678"]]
    out = render(["published", "kind", "actor", "text", "value"], cells, 80, {"value"})
    row = next(line for line in out.splitlines() if "2024-05-01" in line)
    assert "call" in row and row.rstrip().endswith("12345678")
    text_cell = re.search(r"the council.*?…", row).group()
    assert len(text_cell) >= 80 // 3
    assert "Local Gove" in row  # the actor is cut, not dropped


def test_cells_stay_on_one_line():
    out = render(["title", "text"], [["a\ntitle", "first line\n\nsecond line " * 10]], 60)
    lines = [line for line in out.splitlines() if "title" in line and "first" in line]
    assert len(lines) == 1 and "a title" in lines[0]
