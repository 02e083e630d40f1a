"""Commands that collect from the web: scrape (polite, resumable crawl) and reparse (no fetching)."""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from . import app
from .common import DbOption, PublisherOption, SinceOption, UntilOption, err, fail, open_store, out

SITES = ("nhsconfed", "lga", "ccn")


def _sites(publisher: str | None) -> list[str]:
    if not publisher or publisher.lower() == "all":
        return list(SITES)
    from ..store import resolve_publisher

    name = publisher.lower()
    if name in SITES:
        return [name]
    canonical = resolve_publisher(publisher)
    from ..collect.profiles import load_profiles

    for key, profile in load_profiles().items():
        if profile.publisher == canonical:
            return [key]
    fail(f"unknown publisher {publisher!r}: use nhsconfed, lga, ccn or all")
    return []


def _base_urls(values: list[str] | None, sites: list[str]) -> dict[str, str]:
    """``--base-url URL`` (one site) or ``--base-url lga=URL`` (any number)."""
    out: dict[str, str] = {}
    for v in values or []:
        name, sep, url = v.partition("=")
        if sep and "://" not in name:
            if name not in SITES:
                fail(f"--base-url {v}: {name!r} is not a site (use nhsconfed, lga or ccn)")
            out[name] = url
        elif len(sites) == 1:
            out[sites[0]] = v
        else:
            fail("--base-url URL needs one --publisher; for several, give NAME=URL for each")
    for name, url in out.items():
        if not url.startswith(("http://", "https://")):
            fail(f"--base-url {name}={url}: not an http(s) URL")
    return out


@app.command()
def scrape(
    publisher: PublisherOption = "all",
    since: SinceOption = None,
    max_pages: Annotated[Optional[int], typer.Option(
        "--max-pages", help="At most this many pages (URLs fetched) per publisher.")] = None,
    base_url: Annotated[Optional[List[str]], typer.Option(
        "--base-url", help="Crawl a mirror with the same paths: URL, or NAME=URL per publisher.")] = None,
    delay: Annotated[Optional[float], typer.Option(
        help="Seconds between requests to one host (default 1; robots.txt may ask for more).")] = None,
    user_agent: Annotated[Optional[str], typer.Option(
        "--user-agent", help="User-Agent header (keep a way to contact you in it).")] = None,
    timeout: Annotated[float, typer.Option(help="Read timeout in seconds.")] = 30.0,
    warc: Annotated[Optional[str], typer.Option(
        "--warc", help="Also archive every response as WARC files in this folder.")] = None,
    fresh: Annotated[bool, typer.Option(
        "--fresh", help="Abandon an interrupted crawl instead of resuming it.")] = False,
    db: DbOption = None,
) -> None:
    """Crawl publishers' sites politely into the store; re-runs fetch only what is new or changed.

    An interrupted crawl (Ctrl-C, a crash) resumes where it stopped when the command is run again.
    """
    from dataclasses import replace

    from ..collect.crawl import CrawlBusy, CrawlOptions, Crawler
    from ..collect.fetch import FetchConfig

    if since:
        from ..collect.dates import find_date

        if find_date(since) != since:
            fail(f"--since {since}: use YYYY-MM-DD")
    sites = _sites(publisher)
    config = FetchConfig(read_timeout=timeout)
    if delay is not None:
        if delay < 0:
            fail("--delay must be 0 or more")
        config = replace(config, delay=delay)
    if user_agent:
        config = replace(config, user_agent=user_agent)
    options = CrawlOptions(since=since, max_pages=max_pages, base_url=_base_urls(base_url, sites),
                           fresh=fresh, warc_dir=warc)
    store = open_store(db)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(SpinnerColumn(), TextColumn("[bold]scraping"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TextColumn("{task.description}", style="dim"),
                        console=err, transient=True, disable=not err.is_terminal)
    try:
        crawler = Crawler(store, sites, config, options)
    except ValueError as e:
        fail(str(e))
    with progress:
        task = progress.add_task("", total=None)

        def on_event(ev: dict) -> None:
            progress.update(task, completed=ev["done"], total=ev["done"] + ev["queued"],
                            description=f"{ev['site']}: {ev['url'][-60:]}")

        crawler.progress = on_event
        try:
            summary = crawler.run()
        except CrawlBusy as e:
            progress.stop()
            fail(str(e))
        except KeyboardInterrupt:
            progress.stop()
            err.print("interrupted: run the same command again to resume where it stopped")
            raise typer.Exit(130)
    _print_summary(summary)


def _print_summary(summary) -> None:
    c = summary.count
    note = f" (resumed: {', '.join(summary.resumed)})" if summary.resumed else ""
    out.print(f"scraped {', '.join(summary.sites)}{note}", highlight=False)
    unchanged = c("unchanged") + c("not_modified")
    rows = [
        ("fetched", summary.fetched, f"{c('listing')} listing, feed or sitemap pages"),
        ("new", c("new"), ""),
        ("changed", c("changed"), "stored as new versions"),
        ("unchanged", unchanged, f"{c('not_modified')} answered 304 Not Modified"),
        ("duplicates", c("duplicate"), "same page under another URL"),
        ("skipped by robots.txt", c("robots"), ""),
        ("off-site links not followed", c("offsite"), ""),
        ("failed", len(summary.failed), ""),
    ]
    if c("dropped") or c("queued"):
        rows.append(("not fetched (--max-pages)", c("dropped") + c("queued"), ""))
    for label, n, extra in rows:
        out.print(f"  {label:<28} {n:>6}" + (f"  [dim]{extra}[/dim]" if extra and n else ""), highlight=False)
    for url, reason in summary.failed:
        out.print(f"    [red]failed[/red] {url}: {reason}", highlight=False, soft_wrap=True)


@app.command()
def reparse(db: DbOption = None, publisher: PublisherOption = None, since: SinceOption = None,
            until: UntilOption = None) -> None:
    """Parse stored documents again from their raw snapshots (no fetching), after a parser change."""
    from ..collect.crawl import reparse as do_reparse

    store = open_store(db)
    summary = do_reparse(store, publisher=publisher, since=since, until=until)
    for doc_id, reason in summary.failed:
        err.print(f"[red]failed:[/red] document {doc_id}: {reason}", highlight=False, soft_wrap=True)
    out.print(f"re-parsed {len(summary.updated) + len(summary.unchanged) + len(summary.failed)} documents: "
              f"updated {len(summary.updated)}, unchanged {len(summary.unchanged)}, "
              f"failed {len(summary.failed)}", highlight=False)
