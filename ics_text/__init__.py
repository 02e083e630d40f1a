"""ics-text: mine UK health and care policy publications.

The stages, in order: ``collect`` (parse files, crawl sites) -> ``store`` (SQLite) -> ``extract``
(quotes, statistics, recommendations) -> ``themes`` (passages, embeddings, taxonomy) -> queries.
``Corpus`` is the entry point of the Python API.
"""

__version__ = "0.1.0"

from .collect.parse import ParseError, parse_bytes, parse_file  # noqa: E402
from .corpus import Corpus  # noqa: E402
from .records import (Block, Document, Findings, Passage, Quote, Recommendation,  # noqa: E402
                      Statistic, Theme, ThemeScore)

__all__ = ["Corpus", "parse_file", "parse_bytes", "ParseError", "Document", "Block", "Findings",
           "Quote", "Statistic", "Recommendation", "Passage", "Theme", "ThemeScore"]
