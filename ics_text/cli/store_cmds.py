"""Commands over the store: add, list, show, text, and the main job (run)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from . import app
from .common import (DbOption, FormatOption, LimitOption, PublisherOption, SinceOption,
                     UntilOption, emit, err, fail, open_store, out)


def _progress(total: int, label: str):
    """A rich progress bar on stderr (hidden when stderr is not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("{task.description}"), console=err,
                    transient=True, disable=not err.is_terminal)


def add_with_progress(store, paths: list[str]):
    from ..collect.ingest import add_paths, find_files

    total = len(find_files(paths))
    with _progress(total, "adding") as bar:
        task = bar.add_task("", total=total)
        summary = add_paths(store, paths,
                            progress=lambda p: bar.update(task, advance=1, description=Path(p).name))
    for _, reason in summary.failed:
        err.print(f"[red]failed:[/red] {reason}", highlight=False, soft_wrap=True)
    c = summary.counts()
    err.print(f"added {c['added']}, changed {c['changed']}, unchanged {c['unchanged']}, "
              f"failed {c['failed']}", highlight=False)
    return summary


@app.command()
def add(paths: Annotated[List[str], typer.Argument(help="Files or folders (walked recursively).")],
        db: DbOption = None) -> None:
    """Parse local HTML, PDF and text files and store them (re-adding the same content is a no-op)."""
    store = open_store(db)
    summary = add_with_progress(store, paths)
    if summary.failed and not (summary.added or summary.changed or summary.unchanged):
        raise typer.Exit(1)


@app.command("list")
def list_(db: DbOption = None, publisher: PublisherOption = None, since: SinceOption = None,
          until: UntilOption = None,
          type: Annotated[Optional[str], typer.Option(help="press release, report, blog, ...")] = None,
          fmt: FormatOption = "table", limit: LimitOption = 0) -> None:
    """List stored documents (current versions), oldest first."""
    store = open_store(db)
    rows = [{"id": d.id, "published": d.published, "publisher": d.publisher, "type": d.type,
             "title": d.title, "url": d.url or d.source}
            for d in store.documents(publisher=publisher, since=since, until=until, type=type)]
    emit(rows[:limit] if limit else rows, fmt, title="documents",
         columns=["id", "published", "publisher", "type", "title", "url"])


@app.command()
def show(doc_id: Annotated[int, typer.Argument(help="Document id (from `ics-text list`).")],
         db: DbOption = None,
         blocks: Annotated[bool, typer.Option("--blocks", help="List the blocks with offsets.")] = False,
         fmt: FormatOption = "table") -> None:
    """Show one stored document: metadata, versions and text."""
    from ..store import StoreError

    store = open_store(db)
    try:
        doc = store.get(doc_id)
    except StoreError as e:
        fail(str(e))
    if fmt == "json":
        d = doc.to_dict()
        d["versions"] = store.versions(doc_id)
        emit([d], "json")
        return
    if blocks:
        emit([{"kind": b.kind, "start": b.start, "end": b.end, "page": b.page, "text": b.text}
              for b in doc.blocks], fmt)
        return
    for key in ("id", "title", "publisher", "published", "type", "url", "source"):
        out.print(f"[bold]{key}:[/bold] {getattr(doc, key) or ''}", highlight=False)
    vs = store.versions(doc_id)
    out.print(f"[bold]versions:[/bold] " + ", ".join(
        f"v{v['version']} (id {v['id']}, {v['added_at']}{', current' if v['is_current'] else ''})"
        for v in vs), highlight=False)
    out.print()
    out.print(doc.text, highlight=False, markup=False)


@app.command()
def text(path: Annotated[str, typer.Argument(help="An .html, .pdf or .txt file.")]) -> None:
    """Print a file's extracted plain text: the text that finding offsets point into."""
    from ..collect.parse import ParseError, parse_file

    try:
        doc = parse_file(path)
    except ParseError as e:
        fail(str(e))
    sys.stdout.write(doc.text + "\n")


@app.command()
def run(paths: Annotated[Optional[List[str]], typer.Argument(
            help="Files or folders to add first (default: the bundled corpus/).")] = None,
        db: DbOption = None,
        report: Annotated[Optional[Path], typer.Option(help="Folder for the report.")] = Path("out")) -> None:
    """The main job: add documents, run every stage on what is new, and print a summary."""
    from ..pipeline import run_all

    store = open_store(db)
    paths = paths or [str(_bundled_corpus())]
    add_with_progress(store, paths)
    run_all(store, report_dir=report, console=err)
    _print_summary(store)


def _bundled_corpus() -> Path:
    from ..paths import ROOT

    return ROOT / "corpus"


def _print_summary(store) -> None:
    s = store.stats()
    years = sorted({r["year"] for r in s["by_publisher_year"]})
    pubs: dict[str, dict[str, int]] = {}
    for r in s["by_publisher_year"]:
        pubs.setdefault(r["publisher"], {})[r["year"]] = r["documents"]
    rows = [{"publisher": pub, **counts, "total": sum(counts.values())} for pub, counts in pubs.items()]
    emit(rows, "table", ["publisher", *years, "total"],
         title=f"{store.path}: {s['documents']} documents, {s['blocks']} blocks, {s['words']:,} words")
