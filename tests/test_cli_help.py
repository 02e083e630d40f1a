"""Help screens: flags show no type marker (typer 0.29 prints `<bool>` for them), and defaults
written into help texts are shown (typer reads help as rich markup, where `[default: x]` vanished)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from ics_text.cli import app

runner = CliRunner()


def every_command() -> list[list[str]]:
    import typer

    group = typer.main.get_command(app)
    paths = [[]]
    for name, cmd in group.commands.items():
        paths.append([name])
        paths += [[name, sub] for sub in getattr(cmd, "commands", {})]
    return paths


@pytest.mark.parametrize("path", every_command(), ids=lambda p: " ".join(p) or "ics-text")
def test_help_has_no_type_for_flags(path):
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    help_line = next(line for line in result.output.splitlines() if "--help" in line)
    assert re.search(r"--help\s+Show this message", help_line), help_line


def test_flags_still_parse_and_typed_options_keep_their_type(tmp_path):
    out = runner.invoke(app, ["themes", "calibrate", "--help"], env={"COLUMNS": "100"}).output
    assert re.search(r"--dry-run\s+Report, do not write", out)
    assert re.search(r"--format\s+-f\s+<str>", out)
    # A flag given on the command line is still a flag (no value expected).
    shown = runner.invoke(app, ["show", "1", "--blocks", "--db", str(tmp_path / "empty.db")])
    assert "requires an argument" not in shown.output and "no document with id 1" in shown.stderr


def test_defaults_in_help_texts_are_shown():
    out = " ".join(runner.invoke(app, ["quotes", "--help"], env={"COLUMNS": "100"}).output.split())
    assert "Store file (default: ./ics-text.db)." in out
    out = " ".join(runner.invoke(app, ["themes", "calibrate", "--help"], env={"COLUMNS": "100"}).output.split())
    assert "(default: models/themes.yaml)" in out
    assert "(default: benchmarks/annotated/themes)" in out
