"""The main job's stages after collection, in order. Each does only the work that new or changed
documents need, so a re-run on an unchanged store costs a few queries."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def run_all(store, report_dir: Path | None = None, console=None) -> dict[str, Any]:
    """Extract findings, build themes and write the report. Returns each stage's summary by name."""
    from .extract.storage import extract_store
    from .report import write_report
    from .themes.build import build_themes

    with _Bar(console) as bar:
        extracted = extract_store(store, progress=lambda done, total, doc: bar.step("extracting", done, total))
        themes = build_themes(store, progress=lambda step, done, total: bar.step(step, done, total))
    summary: dict[str, Any] = {"extract": extracted, "themes": themes}
    if console is not None:
        for reason in extracted.get("failed", []):
            console.print(f"[red]failed:[/red] {reason}", highlight=False, soft_wrap=True)
        console.print(
            f"extracted {extracted['documents']} documents: {extracted['quotes']} quotes, "
            f"{extracted['statistics']} statistics, {extracted['recommendations']} recommendations",
            highlight=False)
        console.print(themes_line(themes), highlight=False)
    if report_dir is not None:
        counts = _finding_counts(store)
        summary["report"] = str(write_report(store, report_dir, extra_counts=counts))
        if console is not None:
            console.print(f"report: {summary['report']}", highlight=False)
    return summary


def themes_line(s: dict) -> str:
    """The theme stage's summary as one short sentence (the documents are counted in the table
    printed after it)."""
    new = f"{s['passages_new']:,} new, {s['encoded']:,} encoded"
    if s.get("reassigned"):
        new += ", all re-assigned"
    return (f"themes: {s['passages']:,} passages ({new}), {s['assigned_passages']:,} with a theme, "
            f"{s['seconds']:.0f} s")


def _finding_counts(store) -> dict[str, int]:
    from .extract.storage import quotes, recommendations, statistics

    return {"quotes": len(quotes(store)), "statistics": len(statistics(store)),
            "recommendations": len(recommendations(store))}


class _Bar:
    """One rich progress bar on stderr that each stage reports into (hidden when not a terminal)."""

    def __init__(self, console):
        self.console = console
        self.progress = None
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        if self.console is not None and self.console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                                     MofNCompleteColumn(), console=self.console, transient=True)
            self.progress.start()
        return self

    def step(self, name: str, done: int, total: int) -> None:
        if self.progress is None:
            return
        if name not in self.tasks:
            self.tasks[name] = self.progress.add_task(name, total=total)
        self.progress.update(self.tasks[name], completed=done, total=total)

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.stop()
