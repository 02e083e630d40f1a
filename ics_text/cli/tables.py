"""Tables on screen that fit the terminal: one line per row, long text cut with an ellipsis.

Columns whose cells are all short (dates, ids, kinds, numbers) are shown whole. Long-text columns
get a readable minimum (the text the table is about: a third of the width), then share the rest
evenly up to their full width. When the minimums do not fit, columns are left out from the right
(the main text stays).
Whatever is cut or left out is said in the caption: ``--format csv|json`` has every column in full.
"""

from __future__ import annotations

from rich import box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

SHORT = 14     # a column whose cells all fit in this many cells (dates, ids, kinds) is shown whole
MIN_LONG = 10  # a long-text column gets at least this much (less says nothing)
MAIN_SHARE = 3  # the column the table is about gets at least 1/MAIN_SHARE of the width...
MAIN = ("text", "snippet", "example", "title")  # ...the first of these that it has
GAP = 2        # cells between two columns: the box's divider and one of padding


def _label(column: str) -> str:
    return column.replace("_", " ")  # a header may then wrap between words


def fit_table(columns: list[str], cells: list[list[str]], width: int, numeric: set[str],
              title: str | None = None) -> Table:
    """A rich table of ``cells`` (one list per row, in ``columns`` order) at most ``width`` wide."""
    cells = [[" ".join(c.split()) for c in row] for row in cells]  # one line per row
    longest = [max((cell_len(row[i]) for row in cells), default=0) for i in range(len(columns))]
    widths, shown = _layout(columns, longest, [c in numeric for c in columns], width)

    cut = any(longest[i] > widths[i] for i in shown)
    hidden = [columns[i] for i in range(len(columns)) if i not in shown]
    notes = []
    if cut:
        notes.append("long text cut to fit")
    if hidden:
        notes.append(f"left out at this width: {', '.join(hidden)}")
    caption = f"{'; '.join(notes)}; --format csv or json has every column in full" if notes else None

    table = Table(title=title, caption=caption, caption_justify="left", box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False, padding=(0, 1, 0, 0), highlight=False)
    for i in shown:
        header = Text(_label(columns[i]), overflow="fold", no_wrap=False)
        table.add_column(header, width=widths[i], no_wrap=True, overflow="ellipsis",
                         justify="right" if columns[i] in numeric else "left")
    for row in cells:
        table.add_row(*(Text(row[i]) for i in shown))
    return table


def _layout(columns: list[str], longest: list[int], numeric: list[bool],
            width: int) -> tuple[list[int], list[int]]:
    """Column widths and the indexes of the columns shown."""
    labels = [_label(c) for c in columns]
    word = [max((cell_len(w) for w in label.split()), default=1) for label in labels]
    full = [max(n, cell_len(label)) for n, label in zip(longest, labels)]
    short = [num or n <= SHORT for n, num in zip(longest, numeric)]
    shown = list(range(len(labels)))
    while True:
        # The least each column takes: short ones whole (the header may wrap), long ones a minimum,
        # the text the table is about a third of the width.
        least = [max(n, w) if s else min(f, max(MIN_LONG, w))
                 for n, w, f, s in zip(longest, word, full, short)]
        long_ = [i for i in shown if not short[i]]
        main = next((i for name in MAIN for i in shown if columns[i] == name), None)
        main = main if main in long_ else None  # a short text is whole anyway
        if main is not None:
            least[main] = min(full[main], max(least[main], width // MAIN_SHARE))
        used = sum(least[i] for i in shown) + GAP * (len(shown) - 1)
        if used <= width or len(shown) == 1:
            break
        shown.remove(next(i for i in reversed(shown) if i != main))  # the text stays
    widths, spare = least, width - used
    if spare < 0:  # one column, wider than the terminal: cut it too
        widths[shown[0]] = max(width, 1)
    # Then long columns grow evenly (a short name is soon whole, the text and a title go on),
    # and what is left unwraps the headers of short columns.
    for group in (long_, [i for i in shown if short[i]]):
        for i, extra in _share(spare, {i: full[i] - widths[i] for i in group}).items():
            widths[i] += extra
            spare -= extra
    return widths, shown


def _share(total: int, lack: dict[int, int]) -> dict[int, int]:
    """Split ``total`` evenly, none getting more than it lacks: what one leaves goes to the others."""
    give = dict.fromkeys(lack, 0)
    open_ = [i for i in lack if lack[i] > 0]
    while open_ and total > 0:
        each = max(total // len(open_), 1)
        for i in list(open_):
            step = min(each, lack[i] - give[i], total)
            give[i] += step
            total -= step
            if give[i] == lack[i]:
                open_.remove(i)
    return give
