"""What every command shares: the --db option, filters, output formats and one-line errors.

Only typer and rich are imported here, so that `ics-text --help` stays instant.
"""

from __future__ import annotations

import csv
import json
import sys
from typing import Annotated, Any, Iterable, Optional

import typer
from rich.console import Console

err = Console(stderr=True)
out = Console()

DbOption = Annotated[Optional[str], typer.Option(
    "--db", envvar="ICS_TEXT_DB", help="Store file (default: ./ics-text.db).")]
PublisherOption = Annotated[Optional[str], typer.Option(
    "--publisher", "-p", help="nhsconfed, lga, ccn or a publisher name.")]
SinceOption = Annotated[Optional[str], typer.Option("--since", help="Published on or after YYYY-MM-DD.")]
UntilOption = Annotated[Optional[str], typer.Option("--until", help="Published on or before YYYY-MM-DD.")]
FormatOption = Annotated[str, typer.Option(
    "--format", "-f", help="table (fits the terminal: long text cut), csv or json (every column in full).")]
LimitOption = Annotated[int, typer.Option("--limit", "-n", help="At most this many rows (0: all).")]

FORMATS = ("table", "csv", "json")
# Row ids are for machines: CSV and JSON carry them, a table on screen leaves them out.
TABLE_OMITS = {"document_id", "passage_id"}


def fail(message: str, code: int = 1) -> None:
    """Print one clear line to stderr and exit."""
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def open_store(db: str | None):
    from ..store import Store, StoreError

    try:
        return Store(db)
    except StoreError as e:
        fail(str(e))


def check_format(fmt: str, allowed: Iterable[str] = FORMATS) -> str:
    if fmt not in allowed:
        fail(f"unknown format {fmt!r}: use one of {', '.join(allowed)}")
    return fmt


def emit(rows: list[dict[str, Any]], fmt: str, columns: list[str] | None = None,
         title: str | None = None, json_root: str | None = None) -> None:
    """Print rows as a rich table, CSV or JSON (``json_root`` wraps the list in an object)."""
    check_format(fmt)
    columns = columns or (list(rows[0]) if rows else [])
    if fmt == "json":
        data: Any = rows if json_root is None else {json_root: rows}
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: _cell(r.get(k)) for k in columns})
    else:
        from .tables import fit_table

        shown = [c for c in columns if c not in TABLE_OMITS] or columns
        numeric = {c for c in shown if _numeric(r.get(c) for r in rows)}
        cells = [[_cell(r.get(c), table=True) for c in shown] for r in rows]
        out.print(fit_table(shown, cells, out.width, numeric, title=title))
        if not rows:
            err.print("no rows")


def _numeric(values: Iterable[Any]) -> bool:
    """Every value a number (None aside): the column is right-aligned."""
    seen = [v for v in values if v is not None]
    return bool(seen) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in seen)


def _cell(v: Any, table: bool = False) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        # On screen a whole number reads better with separators (20,500,000,000, not 2.05e+10).
        return f"{v:,.0f}" if table and v.is_integer() and abs(v) < 1e15 else f"{v:g}"
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)
