"""Themes: passages, cached embeddings, a seeded taxonomy, assignment, discovery, trends and search.

The Python API (the ``ics-text themes`` commands are thin wrappers over these):

    from ics_text.store import Store
    from ics_text.themes import build_themes, list_themes, show_theme, trend, discover, Searcher
    store = Store("ics-text.db")
    build_themes(store)                          # incremental; re-assigns after a taxonomy edit
    list_themes(store, publisher="lga")
    show_theme(store, "workforce", since="2023-01-01")
    trend(store, "all", by="year", by_publisher=True)
    Searcher(store).search("discharge delays", mode="hybrid")
    tune_folder()                                # re-tune the model to the labels (minutes)

Heavy libraries (torch, sentence-transformers, scikit-learn) load only inside the functions that
use them.
"""

from .api import assign_documents, assign_files, calibrate_taxonomy
from .build import build_themes
from .discover import discover
from .queries import document_passages, list_themes, show_theme
from .search import PassageIndex, Searcher, search
from .trends import chart, trend
from .tuning import tune_folder

__all__ = ["assign_documents", "assign_files", "build_themes", "calibrate_taxonomy", "chart",
           "discover", "document_passages", "list_themes", "PassageIndex", "search", "Searcher",
           "show_theme", "trend", "tune_folder"]
