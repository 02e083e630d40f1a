"""The `ics-text` command line: a thin layer over the Python API (``ics_text.Corpus``).

Each stage's commands live in their own module and register themselves on ``app``.
"""

from .help import App

app = App(
    name="ics-text",
    help="Mine UK health and care policy publications: collect, store, extract quotes, "
         "statistics and recommendations, and group passages into themes.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

from . import store_cmds  # noqa: E402,F401  (registers commands)
from . import scrape_cmds  # noqa: E402,F401  (registers scrape, reparse)
from . import themes_cmds  # noqa: E402,F401  (registers themes, search)
from . import extract_cmds  # noqa: E402,F401  (registers extract, extract-store, quotes, stats, recommendations)
