"""Theme trends: how much of what each publisher wrote was about a theme, period by period.

Raw counts mislead (a publisher that published twice as much in 2023 shows twice the passages on
every theme), so each cell is normalised by how much was published in that period (and by that
publisher, with ``by_publisher``):
- ``share``: passages carrying the theme / all passages published in the cell;
- ``document_share``: documents with at least one such passage / documents published in the cell.
Undated documents cannot be placed in a period: they are left out and counted in ``undated``.
"""

from __future__ import annotations

from pathlib import Path

from ..store import Store
from .queries import current_themes, resolve_theme
from .schema import ensure_schema

PERIODS = ("year", "quarter")


def _period_sql(by: str) -> str:
    if by == "year":
        return "substr(d.published, 1, 4)"
    if by == "quarter":
        return ("substr(d.published, 1, 4) || '-Q' || "
                "((CAST(substr(d.published, 6, 2) AS INTEGER) + 2) / 3)")
    raise ValueError(f"unknown period {by!r}: use year or quarter")


def trend(store: Store, theme: str = "all", by: str = "year", by_publisher: bool = False,
          publisher=None, since=None, until=None, taxonomy=None) -> dict:
    """Rows of (theme, period[, publisher], passages, total_passages, share, documents, ...)."""
    ensure_schema(store)
    themes = current_themes(store, taxonomy)
    chosen = themes if theme in (None, "all") else [resolve_theme(themes, theme)]
    period = _period_sql(by)
    where, args = store._filters(publisher=publisher, since=since, until=until, table="d")
    cond = " AND ".join(where) or "1"
    pub = "COALESCE(d.publisher, '(unknown)')" if by_publisher else "'all'"
    totals = {}
    for r in store.conn.execute(
            f"SELECT {period} AS period, {pub} AS publisher, COUNT(*) AS passages, "
            f"COUNT(DISTINCT p.document_id) AS documents FROM theme_passages p "
            f"JOIN documents d ON d.id = p.document_id WHERE {cond} AND d.published IS NOT NULL "
            f"GROUP BY 1, 2", args):
        totals[(r["period"], r["publisher"])] = (r["passages"], r["documents"])
    undated = store.conn.execute(
        f"SELECT COUNT(DISTINCT d.id) FROM theme_passages p JOIN documents d ON d.id = p.document_id "
        f"WHERE {cond} AND d.published IS NULL", args).fetchone()[0]
    ids = [t.id for t in chosen]
    counts = {}
    for r in store.conn.execute(
            f"SELECT a.theme_id, {period} AS period, {pub} AS publisher, COUNT(*) AS passages, "
            f"COUNT(DISTINCT p.document_id) AS documents FROM theme_assignments a "
            f"JOIN theme_passages p ON p.id = a.passage_id JOIN documents d ON d.id = p.document_id "
            f"WHERE {cond} AND d.published IS NOT NULL AND a.theme_id IN ({','.join('?' * len(ids))}) "
            f"GROUP BY 1, 2, 3", [*args, *ids]):
        counts[(r["theme_id"], r["period"], r["publisher"])] = (r["passages"], r["documents"])
    rows = []
    for t in chosen:
        for (per, pb), (tp, td) in sorted(totals.items()):
            n_p, n_d = counts.get((t.id, per, pb), (0, 0))
            row = {"theme": t.id, "name": t.name, "period": per}
            if by_publisher:
                row["publisher"] = pb
            row.update({"passages": n_p, "total_passages": tp, "share": round(n_p / tp, 4) if tp else 0.0,
                        "documents": n_d, "total_documents": td,
                        "document_share": round(n_d / td, 4) if td else 0.0})
            rows.append(row)
    return {"by": by, "by_publisher": by_publisher, "rows": rows, "undated_documents": undated}


def chart(result: dict, path: str | Path, title: str | None = None, top: int = 8) -> Path:
    """Draw a trend result as a line chart (PNG or SVG by the file's suffix) and save it.

    One line per theme, or per publisher for a single theme by publisher; for all themes by
    publisher, one panel per publisher. With many themes only the ``top`` largest are drawn.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise ValueError(f"{path}: the chart file must end in .png or .svg")
    rows = result["rows"]
    periods = sorted({r["period"] for r in rows})
    themes = list(dict.fromkeys(r["theme"] for r in rows))
    names = {r["theme"]: r["name"] for r in rows}
    # keep the themes with the largest overall share
    if len(themes) > top:
        weight = {t: sum(r["passages"] for r in rows if r["theme"] == t) for t in themes}
        themes = sorted(themes, key=lambda t: -weight[t])[:top]
    pubs = sorted({r.get("publisher", "all") for r in rows})
    panels = pubs if (result["by_publisher"] and len(themes) > 1) else ["all"]
    fig, axes = plt.subplots(len(panels), 1, figsize=(9, 3.2 * len(panels) + 0.8), squeeze=False,
                             sharex=True)
    for ax, panel in zip(axes[:, 0], panels):
        if panels == ["all"] and result["by_publisher"]:
            series = [(p, [r for r in rows if r.get("publisher") == p]) for p in pubs]
        else:
            series = [(names[t], [r for r in rows if r["theme"] == t
                                  and (panel == "all" or r.get("publisher") == panel)]) for t in themes]
        for label, rs in series:
            by_period = {r["period"]: r["share"] * 100 for r in rs}
            xs = [p for p in periods if p in by_period]
            ax.plot(xs, [by_period[p] for p in xs], marker="o", label=label)
        ax.set_ylabel("% of passages")
        if panel != "all":
            ax.set_title(panel, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.suptitle(title or "Theme share of published passages, by " + result["by"])
    for label in axes[-1, 0].get_xticklabels():
        label.set_rotation(45)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
