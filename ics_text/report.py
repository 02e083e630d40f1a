"""The main job's short report: what is in the store, the top themes per publisher, a trend chart.

``write_report(store, out_dir)`` writes ``report.md`` and ``themes-by-year.png`` into ``out_dir`` and
returns the markdown file's path. It only reads the store (build themes first: ``build_themes``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from .store import Store

TOP_THEMES = 5


def write_report(store: Store, out_dir: str | Path, extra_counts: dict | None = None) -> Path:
    """Write the report (markdown + chart) into ``out_dir``; returns the markdown path.

    ``extra_counts``: more "label: number" lines for the counts section (e.g. quotes, statistics
    and recommendations from the extraction stage).
    """
    from .themes.queries import list_themes
    from .themes.schema import ensure_schema
    from .themes.trends import chart, trend

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ensure_schema(store)
    stats = store.stats()
    c = store.conn
    passages = c.execute("SELECT COUNT(*) FROM theme_passages p JOIN documents d ON d.id = p.document_id "
                         "WHERE d.is_current = 1").fetchone()[0]
    themed = c.execute("SELECT COUNT(DISTINCT a.passage_id) FROM theme_assignments a JOIN theme_passages p "
                       "ON p.id = a.passage_id JOIN documents d ON d.id = p.document_id "
                       "WHERE d.is_current = 1").fetchone()[0]
    publishers = [r[0] for r in c.execute(
        "SELECT DISTINCT publisher FROM documents WHERE is_current = 1 AND publisher IS NOT NULL "
        "ORDER BY publisher")]
    lines = [f"# ics-text report", "",
             f"Generated {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} from `{store.path}`.", "",
             "## Counts", "",
             f"- Documents: {stats['documents']} (versions kept: {stats['versions']})",
             f"- Words: {stats['words']:,}",
             f"- Passages: {passages:,}, of which {themed:,} carry at least one theme "
             f"({themed / passages:.0%})" if passages else "- Passages: 0 (themes not built yet)"]
    for label, n in (extra_counts or {}).items():
        lines.append(f"- {label}: {n:,}" if isinstance(n, int) else f"- {label}: {n}")
    lines += ["", "| Publisher | Documents | Passages |", "|---|---:|---:|"]
    per_pub = {r[0]: (r[1], r[2]) for r in c.execute(
        "SELECT COALESCE(d.publisher, '(unknown)'), COUNT(DISTINCT d.id), COUNT(p.id) FROM documents d "
        "LEFT JOIN theme_passages p ON p.document_id = d.id WHERE d.is_current = 1 GROUP BY 1 ORDER BY 1")}
    for pub, (nd, np_) in per_pub.items():
        lines.append(f"| {pub} | {nd} | {np_} |")

    lines += ["", "## Top themes per publisher", "",
              "Share = passages carrying the theme / all the publisher's passages (a passage can carry "
              "several themes).", ""]
    for pub in publishers:
        rows = [r for r in list_themes(store, publisher=pub) if r["passages"]][:TOP_THEMES]
        lines.append(f"**{pub}**")
        lines.append("")
        if not rows:
            lines += ["(no themed passages)", ""]
            continue
        lines += ["| Theme | Passages | Share | Documents |", "|---|---:|---:|---:|"]
        for r in rows:
            lines.append(f"| {r['name']} | {r['passages']} | {r['passage_share']:.1%} | {r['documents']} |")
        lines.append("")

    lines += ["## Themes over time", ""]
    result = trend(store, "all", by="year")
    if result["rows"]:
        png = chart(result, out / "themes-by-year.png",
                    title="Share of published passages per theme, by year")
        lines += [f"![Theme share by year]({png.name})", ""]
        years = sorted({r["period"] for r in result["rows"]})
        if len(years) >= 2:
            first, last = years[0], years[-1]
            share = {(r["theme"], r["period"]): r["share"] for r in result["rows"]}
            names = {r["theme"]: r["name"] for r in result["rows"]}
            moves = sorted(((share.get((t, last), 0) - share.get((t, first), 0), t) for t in names),
                           reverse=True)
            up, down = moves[0], moves[-1]
            lines.append(f"From {first} to {last}, the largest rise was {names[up[1]]} "
                         f"({up[0] * 100:+.1f} points) and the largest fall {names[down[1]]} "
                         f"({down[0] * 100:+.1f} points).")
        if result["undated_documents"]:
            lines.append(f"{result['undated_documents']} undated document(s) are not in the chart.")
    else:
        lines.append("No dated, themed passages yet.")
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
