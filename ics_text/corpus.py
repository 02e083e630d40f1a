"""The Python API: a ``Corpus`` is a store file plus the stages that read and write it.

    from ics_text import Corpus
    corpus = Corpus("ics-text.db")
    corpus.add("corpus/")            # parse and store files and folders
    for doc in corpus.documents(publisher="lga", since="2023-01-01"):
        print(doc.published, doc.title)

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
