"""`ics-text themes ...` and `ics-text search`: thin wrappers over ``ics_text.themes``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from . import app
from .help import App
from .common import (DbOption, FormatOption, LimitOption, PublisherOption, SinceOption,
                     UntilOption, check_format, emit, err, fail, open_store)

themes_app = App(help="Themes: assign the seeded taxonomy, discover clusters, trends.",
                 no_args_is_help=True)
app.add_typer(themes_app, name="themes")

TaxonomyOption = Annotated[Optional[str], typer.Option(
    "--taxonomy", envvar="ICS_TEXT_TAXONOMY", help="Theme taxonomy file (default: models/themes.yaml).")]
ModelOption = Annotated[Optional[str], typer.Option(
    "--model", envvar="ICS_TEXT_EMBED_MODEL",
    help="sentence-transformers model directory or name (default: packaged all-MiniLM-L6-v2).")]
LabelledOption = Annotated[Optional[str], typer.Option(
    "--labelled", help="Labelled-passages folder that trains the assigner's head "
    "(default $ICS_TEXT_THEMES_LABELLED, else benchmarks/annotated/themes and themes_train; an empty "
    "folder: prototypes only).")]


def _guard(fn, *args, **kwargs):
    """Run an API call; known problems become one-line errors."""
    from ..store import StoreError
    from ..themes.taxonomy import TaxonomyError

    try:
        return fn(*args, **kwargs)
    except (StoreError, TaxonomyError, ValueError, RuntimeError) as e:
        fail(str(e))


def _hint_if_unbuilt(store) -> None:
    """Queries over an unbuilt store print nothing useful: say what to run."""
    from ..themes.schema import ensure_schema

    ensure_schema(store)
    if store.conn.execute("SELECT 1 FROM theme_passages LIMIT 1").fetchone() is None:
        err.print("no passages yet: run `ics-text themes build` (or `ics-text run`) first", highlight=False)


def _progress_printer():
    """A progress callback that prints a line per step to stderr when it is a terminal."""
    if not err.is_terminal:
        return None
    last = {}

    def progress(step: str, done: int, total: int) -> None:
        if last.get(step) != done:
            last[step] = done
            err.print(f"{step}: {done}/{total}", highlight=False)
    return progress


@themes_app.command("assign")
def assign(paths: Annotated[List[str], typer.Argument(help="Files to read (.html, .pdf, .txt).")],
           taxonomy: TaxonomyOption = None, model: ModelOption = None,
           labelled: LabelledOption = None, fmt: FormatOption = "json") -> None:
    """Assign themes to the passages of files not in the store (JSON per spec/themes.md)."""
    from ..themes.api import assign_files
    from ..themes.embeddings import Encoder

    check_format(fmt)
    encoder = _guard(Encoder, model=model)
    result = _guard(assign_files, paths, taxonomy=taxonomy, encoder=encoder, labelled=labelled)
    for d in result["documents"]:
        for e in d["errors"]:
            err.print(f"[red]error:[/red] {e}", highlight=False, soft_wrap=True)
    if fmt == "json":
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        rows = [{"source": d["source"], "start": p["start"], "end": p["end"],
                 "themes": ", ".join(f"{t['id']} {t['score']:.2f}" for t in p["themes"]),
                 "text": p["text"]} for d in result["documents"] for p in d["passages"]]
        emit(rows, fmt, columns=["source", "start", "end", "themes", "text"], title="passages")
    if result["documents"] and all(d["errors"] and not d["passages"] for d in result["documents"]):
        raise typer.Exit(1)


@themes_app.command("build")
def build(db: DbOption = None, taxonomy: TaxonomyOption = None, model: ModelOption = None,
          labelled: LabelledOption = None, fmt: FormatOption = "table") -> None:
    """Cut passages, encode new ones and assign themes (incremental; re-assigns after an edit)."""
    from ..themes.build import build_themes

    store = open_store(db)
    summary = _guard(build_themes, store, progress=_progress_printer(), taxonomy=taxonomy, model=model,
                     labelled=labelled)
    emit([summary], fmt, title="themes build",
         columns=["documents_new", "passages_new", "encoded", "reassigned", "documents", "passages",
                  "assigned_passages", "seconds"])


@themes_app.command("list")
def list_(db: DbOption = None, publisher: PublisherOption = None, since: SinceOption = None,
          until: UntilOption = None, taxonomy: TaxonomyOption = None, fmt: FormatOption = "table") -> None:
    """Themes with how many passages and documents carry them."""
    from ..themes.queries import list_themes

    store = open_store(db)
    _hint_if_unbuilt(store)
    rows = _guard(list_themes, store, publisher=publisher, since=since, until=until, taxonomy=taxonomy)
    emit(rows, fmt, title="themes", columns=["id", "name", "passages", "documents", "passage_share",
                                             "document_share", "mean_score", "threshold"])


@themes_app.command("show")
def show(theme: Annotated[str, typer.Argument(help="Theme id or name (or a unique part of it).")],
         db: DbOption = None, publisher: PublisherOption = None, since: SinceOption = None,
         until: UntilOption = None, limit: LimitOption = 10, taxonomy: TaxonomyOption = None,
         fmt: FormatOption = "table") -> None:
    """A theme's top passages, highest score first, with citations."""
    from ..themes.queries import show_theme

    store = open_store(db)
    _hint_if_unbuilt(store)
    result = _guard(show_theme, store, theme, publisher=publisher, since=since, until=until,
                    limit=limit, taxonomy=taxonomy)
    if fmt == "json":
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    emit(result["passages"], fmt, title=f"{result['theme']['name']} ({result['theme']['id']})",
         columns=["score", "text", "title", "publisher", "published", "url", "start", "end",
                  "document_id", "passage_id"])


@themes_app.command("trend")
def trend(theme: Annotated[str, typer.Argument(help="Theme id or name, or 'all'.")],
          by: Annotated[List[str], typer.Option(
              "--by", help="year or quarter; add --by publisher to split by publisher.")] = ["year"],
          chart: Annotated[Optional[str], typer.Option(
              "--chart", help="Also draw the trend to this .png or .svg file.")] = None,
          db: DbOption = None, publisher: PublisherOption = None, since: SinceOption = None,
          until: UntilOption = None, taxonomy: TaxonomyOption = None, fmt: FormatOption = "table") -> None:
    """Theme share by year or quarter (and publisher), normalised by how much was published."""
    from ..themes.trends import chart as draw, trend as trend_

    bad = [b for b in by if b not in ("year", "quarter", "publisher")]
    if bad:
        fail(f"unknown --by {bad[0]!r}: use year, quarter or publisher")
    period = "quarter" if "quarter" in by else "year"
    store = open_store(db)
    _hint_if_unbuilt(store)
    result = _guard(trend_, store, theme, by=period, by_publisher="publisher" in by,
                    publisher=publisher, since=since, until=until, taxonomy=taxonomy)
    if chart:
        path = _guard(draw, result, chart)
        err.print(f"chart written to {path}", highlight=False)
    if result["undated_documents"]:
        err.print(f"{result['undated_documents']} undated document(s) left out", highlight=False)
    if fmt == "json":
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    cols = ["theme", "period"] + (["publisher"] if result["by_publisher"] else []) + [
        "passages", "total_passages", "share", "documents", "total_documents", "document_share"]
    emit(result["rows"], fmt, title=f"trend by {period}", columns=cols)


@themes_app.command("discover")
def discover(db: DbOption = None, clusters: Annotated[Optional[int], typer.Option(
                 "--clusters", "-k", help="Number of clusters (default: chosen by silhouette).")] = None,
             min_words: Annotated[int, typer.Option(help="Shorter passages are reported unclustered.")] = 6,
             publisher: PublisherOption = None, since: SinceOption = None, until: UntilOption = None,
             taxonomy: TaxonomyOption = None, model: ModelOption = None,
             fmt: FormatOption = "table") -> None:
    """Cluster passages to find themes nobody seeded: terms, representative passages, mapping."""
    from ..themes.discover import discover as discover_
    from ..themes.embeddings import default_model_path, model_key

    store = open_store(db)
    _hint_if_unbuilt(store)
    result = _guard(discover_, store, n_clusters=clusters, min_words=min_words, publisher=publisher,
                    since=since, until=until, taxonomy=taxonomy,
                    model_name=model_key(model or default_model_path()))
    un = result["unclustered"]
    err.print(f"{result['passages']} passages: {result['clustered']} in {len(result['clusters'])} "
              f"clusters, {un['count']} unclustered ({un['reason']})", highlight=False)
    if fmt == "json":
        result = dict(result, members=[{"passage_id": k, "cluster": v} for k, v in result["members"].items()])
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    rows = [{**c, "terms": ", ".join(c["terms"]),
             "themes": ", ".join(f"{t['id']} {t['share']:.0%}" for t in c["themes"]),
             "example": c["representatives"][0]["text"] if c["representatives"] else "",
             "cited": c["representatives"][0]["citation"] if c["representatives"] else ""}
            for c in result["clusters"]]
    emit(rows, fmt, title="clusters", columns=["cluster", "size", "terms", "themes", "novel",
                                               "example", "cited"])


@themes_app.command("calibrate")
def calibrate(taxonomy: TaxonomyOption = None, labelled: Annotated[Optional[str], typer.Option(
                  "--labelled", help="Folder of labelled passages (default: benchmarks/annotated/themes). "
                                   "The corpus gold set alone: thresholds are fitted on passages like "
                                   "those they will cut; `tune` also learns from themes_train.")] = None,
              model: ModelOption = None,
              dry_run: Annotated[bool, typer.Option("--dry-run", help="Report, do not write.")] = False,
              fmt: FormatOption = "table") -> None:
    """Fit per-theme thresholds on the labelled passages and write them to the taxonomy file."""
    from ..themes.api import calibrate_taxonomy
    from ..themes.embeddings import Encoder

    encoder = _guard(Encoder, model=model)
    result = _guard(calibrate_taxonomy, taxonomy, labelled, encoder=encoder, write=not dry_run)
    for e in result["errors"]:
        err.print(f"[yellow]warning:[/yellow] {e}", highlight=False, soft_wrap=True)
    err.print(f"{result['passages']} labelled passages from {result['documents']} documents; macro F1 "
              f"{result['in_sample']['macro_f1']:.3f} in sample, {result['held_out']['macro_f1']:.3f} "
              f"held out (cross-validated by document"
              f"{'; optimistic: the tuned model saw every label' if result['tuned'] else ''}); "
              f"{'thresholds written to ' + result['taxonomy'] if result['written'] else 'nothing written'}",
              highlight=False)
    if fmt == "json":
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    emit([{"theme": t, "threshold": v, "calibrated": result["calibrated"][t]}
          for t, v in result["thresholds"].items()], fmt, title="thresholds")


@themes_app.command("tune")
def tune(taxonomy: TaxonomyOption = None, labelled: Annotated[Optional[str], typer.Option(
             "--labelled", help="Folder of labelled passages (default: benchmarks/annotated/themes and "
                                "themes_train).")] = None,
         out: Annotated[Optional[str], typer.Option(
             "--out", help="Patch folder to write (default: models/theme_encoder).")] = None) -> None:
    """Tune the embedding model's top layers to the labelled passages (minutes on a CPU), then
    re-fit the taxonomy's thresholds on the tuned vectors. Run it after the labels change."""
    from rich.progress import Progress

    from ..themes.api import calibrate_taxonomy
    from ..themes.embeddings import Encoder
    from ..themes.tuning import tune_folder

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("tuning", total=None)
        meta = _guard(tune_folder, labelled, out, taxonomy,
                      progress=lambda done, total: bar.update(task, completed=done, total=total))
    err.print(f"tuned the top {meta['top_layers']} layers on {meta['passages']} passages from "
              f"{meta['documents']} documents in {meta['seconds']:.0f} s", highlight=False)
    if out is None:  # the default patch is the one assignment uses: its thresholds must follow it
        result = _guard(calibrate_taxonomy, taxonomy, None, encoder=Encoder())
        err.print(f"thresholds re-fitted and written to {result['taxonomy']}", highlight=False)


@app.command("search")
def search(query: Annotated[str, typer.Argument(help="Words to look for.")],
           mode: Annotated[str, typer.Option("--mode", "-m", help="keyword, semantic or hybrid.")] = "hybrid",
           db: DbOption = None, publisher: PublisherOption = None, since: SinceOption = None,
           until: UntilOption = None,
           type: Annotated[Optional[str], typer.Option(help="press release, report, blog, ...")] = None,
           theme: Annotated[Optional[str], typer.Option(help="Only passages with this theme.")] = None,
           limit: LimitOption = 10, model: ModelOption = None, fmt: FormatOption = "table") -> None:
    """Search passages by keyword (BM25), meaning (embeddings) or both (rank fusion), with citations."""
    from ..themes.embeddings import Encoder
    from ..themes.search import MODES, Searcher

    if mode not in MODES:
        fail(f"unknown mode {mode!r}: use keyword, semantic or hybrid")
    check_format(fmt)
    store = open_store(db)
    _hint_if_unbuilt(store)
    encoder = None if mode == "keyword" else _guard(Encoder, store, model=model)
    rows = _guard(Searcher(store, encoder=encoder).search, query, mode=mode, limit=limit or 10,
                  publisher=publisher, since=since, until=until, type=type, theme=theme)
    if fmt == "json":
        sys.stdout.write(json.dumps({"query": query, "mode": mode, "results": rows},
                                    ensure_ascii=False, indent=2) + "\n")
        return
    emit(rows, fmt, title=f"{mode} search: {query}",
         columns=["rank", "score", "snippet", "title", "publisher", "published", "url", "start", "end",
                  "document_id", "passage_id"] if fmt == "csv" else
         ["rank", "score", "snippet", "title", "publisher", "published"])
