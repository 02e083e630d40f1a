"""The Python API: a ``Corpus`` is a store file plus the stages that read and write it.

    from ics_text import Corpus
    corpus = Corpus("ics-text.db")
    corpus.add("corpus/")            # parse and store files and folders
    corpus.extract()                 # quotes, statistics, recommendations of new documents
    corpus.build_themes()            # passages, embeddings, theme assignments of new documents
    for row in corpus.quotes(org="LGA", since="2023-01-01"):
        print(row["speaker"], row["text"], row["url"])

Every ``ics-text`` command is a thin wrapper over one of these methods.
"""

from __future__ import annotations

import os
from typing import Callable, Iterator

from .collect.ingest import AddSummary, add_paths
from .records import Document
from .store import Store


class Corpus:
    def __init__(self, path: str | os.PathLike | None = None):
        self.store = Store(path)

    @property
    def path(self) -> str:
        return self.store.path

    def close(self) -> None:
        self.store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def add(self, *paths: str | os.PathLike, progress: Callable | None = None) -> AddSummary:
        """Parse and store files, and every document file under folders."""
        return add_paths(self.store, paths, progress=progress)

    def documents(self, publisher: str | None = None, since: str | None = None,
                  until: str | None = None, type: str | None = None,
                  blocks: bool = False) -> Iterator[Document]:
        return self.store.documents(publisher=publisher, since=since, until=until, type=type,
                                    blocks=blocks)

    def get(self, doc_id: int) -> Document:
        return self.store.get(doc_id)

    def stats(self) -> dict:
        return self.store.stats()

    # -- later stages: each call does only the work new or changed documents need ----------------

    def extract(self, progress: Callable | None = None, **options) -> dict:
        """Extract findings from every current document that has none yet."""
        from .extract.storage import extract_store

        return extract_store(self.store, progress=progress, **options)

    def quotes(self, **filters) -> list[dict]:
        from .extract.storage import quotes

        return quotes(self.store, **filters)

    def statistics(self, **filters) -> list[dict]:
        from .extract.storage import statistics

        return statistics(self.store, **filters)

    def recommendations(self, **filters) -> list[dict]:
        from .extract.storage import recommendations

        return recommendations(self.store, **filters)

    def build_themes(self, progress: Callable | None = None, **options) -> dict:
        """Cut, encode and assign themes to the passages of new documents."""
        from .themes.build import build_themes

        return build_themes(self.store, progress=progress, **options)

    def search(self, query: str, mode: str = "hybrid", limit: int = 10, **filters) -> list[dict]:
        """Passages matching ``query`` by keyword, meaning or both, with citations."""
        from .themes.search import search

        return search(self.store, query, mode=mode, limit=limit, **filters)

    def run(self, report_dir=None) -> dict:
        """The main job's stages after collection (extract, themes, report)."""
        from .pipeline import run_all

        return run_all(self.store, report_dir=report_dir)
