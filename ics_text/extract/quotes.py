"""Quotes with their speakers: the ``ics_quotes`` spaCy component.

``nlp.add_pipe("ics_quotes")`` sets ``doc._.quotes``: a list of :class:`ics_text.records.Quote`,
offsets into ``doc.text`` (a document's plain text: blocks separated by blank lines).

How it works, in three layers (a module each):

1. :mod:`.quote_marks`: a character-level scanner pairs quote marks paragraph by paragraph,
   whatever their style, telling apostrophes from closing marks.
2. :mod:`.quote_attribution`: the text around each quote, cut to its own sentence, is searched for
   a reporting verb ("said", "added", "warned", ...) or an introducing colon, and the subject of
   that verb is read as a speaker phrase (:mod:`.quote_speakers`: honorifics, a name, an
   appositive role, an organisation; :mod:`.quote_roles` splits the role from the organisation).
   Labels count too: a dash or a parenthesis after the quote ("- Cllr Jo Hart, LGA chair"), or a
   name line under a pull quote. The tagger, the parser and the NER help where present; the
   component also works on a Doc that only went through the tokenizer.
3. :mod:`.quote_document`: document-level resolution: pronouns and "Mr Doe" resolve to the full
   name given earlier, paragraphs that open with a quote mark continue the last speaker, "the
   Alliance" resolves to the full organisation name the document used before, known
   organisations get their canonical name from the alias table (``models/orgs.yaml``, see
   :mod:`ics_text.extract.orgs`).

Fragments quoted inside reported speech ("said councils were 'very cautious'") are kept as
``partial`` quotes only when the sentence attributes them; scare quotes, quoted titles
("a report called 'Fit for the future'") and labels are not quotes.
"""

from __future__ import annotations

import srsly
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import ensure_path

from . import msgpack  # noqa: F401  (records travel in msgpack: nlp.pipe(n_process=2))
from .orgs import OrgResolver, load_aliases
from .quote_document import DocQuotes
from .quote_marks import find_quote_spans  # noqa: F401  (imported from here by callers and tests)

FACTORY = "ics_quotes"
EXTENSION = "quotes"

# Defaults, each in one place (the factory's config and the component's signature use these).
DEFAULT_MIN_WORDS = 3  # an unattributed quote needs at least this many words to count
DEFAULT_CONTINUE_PARAGRAPHS = 3  # how far back a paragraph-opening quote looks for its speaker
DEFAULT_MAX_SUBJECT_WORDS = 30  # a longer "subject" before a verb is not a speaker phrase

if not Doc.has_extension(EXTENSION):
    Doc.set_extension(EXTENSION, default=None)


class QuoteExtractor:
    """The ``ics_quotes`` component: sets ``doc._.quotes``.

    The organisation alias table is part of the component (``self.aliases``), saved with
    ``to_disk``/``to_bytes`` so that a saved pipeline needs nothing outside it.
    """

    def __init__(self, nlp: Language | None = None, name: str = FACTORY, *,
                 min_words: int = DEFAULT_MIN_WORDS,
                 continue_paragraphs: int = DEFAULT_CONTINUE_PARAGRAPHS,
                 max_subject_words: int = DEFAULT_MAX_SUBJECT_WORDS,
                 aliases: dict | None = None):
        self.name = name
        self.min_words = min_words
        self.continue_paragraphs = continue_paragraphs
        self.max_subject_words = max_subject_words
        self.set_aliases(aliases if aliases is not None else load_aliases())

    def set_aliases(self, aliases: dict) -> None:
        self.orgs = OrgResolver(aliases)
        self.aliases = self.orgs.table

    def __call__(self, doc: Doc) -> Doc:
        doc._.set(EXTENSION, DocQuotes(doc, self).run())
        return doc

    def pipe(self, stream, batch_size: int = 128):
        for doc in stream:
            yield self(doc)

    # -- serialisation (the alias table and the settings) --
    def _cfg(self) -> dict:
        return {"min_words": self.min_words, "continue_paragraphs": self.continue_paragraphs,
                "max_subject_words": self.max_subject_words}

    def _load_cfg(self, cfg: dict) -> None:
        for k in ("min_words", "continue_paragraphs", "max_subject_words"):
            if k in cfg:
                setattr(self, k, int(cfg[k]))

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return srsly.msgpack_dumps({"cfg": self._cfg(), "aliases": self.aliases})

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "QuoteExtractor":
        msg = srsly.msgpack_loads(data)
        self._load_cfg(msg.get("cfg", {}))
        self.set_aliases(msg.get("aliases", {}))
        return self

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg.json", self._cfg())
        srsly.write_json(path / "orgs.json", self.aliases)

    def from_disk(self, path, *, exclude=tuple()) -> "QuoteExtractor":
        path = ensure_path(path)
        if (path / "cfg.json").exists():
            self._load_cfg(srsly.read_json(path / "cfg.json"))
        if (path / "orgs.json").exists():
            self.set_aliases(srsly.read_json(path / "orgs.json"))
        return self


@Language.factory(FACTORY, assigns=[f"doc._.{EXTENSION}"],
                  default_config={"min_words": DEFAULT_MIN_WORDS,
                                  "continue_paragraphs": DEFAULT_CONTINUE_PARAGRAPHS,
                                  "max_subject_words": DEFAULT_MAX_SUBJECT_WORDS})
def make_quote_extractor(nlp: Language, name: str, min_words: int, continue_paragraphs: int,
                         max_subject_words: int) -> QuoteExtractor:
    return QuoteExtractor(nlp, name, min_words=min_words, continue_paragraphs=continue_paragraphs,
                          max_subject_words=max_subject_words)
