"""Small reads and edits of page elements that several steps of the HTML reader share.

Text normalising (``clean``, ``norm``), class and id words, whether an element sits in running
text or inside another, whether it carries metadata, and a decompose that remembers what is gone.
They live apart so that the steps (:mod:`.html_chrome`, :mod:`.html_scope`, :mod:`.html_metadata`)
depend on them rather than on one another.
"""

from __future__ import annotations

import re

# Tags that run inside a line of text: a link or a bold word in a sentence is not a block.
INLINE_TAGS = {"a", "span", "em", "strong", "b", "i", "u", "small", "time", "abbr", "cite", "sup",
               "sub", "code", "mark", "s", "q", "font", "label", "bdi", "bdo", "dfn", "kbd", "var"}
# Elements that carry metadata: the date is read from them, then they leave the text.
META_WORDS = {"meta", "metadata", "byline", "dateline", "submitted", "posted", "pubdate",
              "published", "dates", "author", "authors", "kicker", "eyebrow", "readtime",
              "postmeta", "entrymeta", "timestamp"}
META_PHRASES = ("post-info", "entry-info", "article-info", "post-date", "entry-date", "reading-time",
                "time-to-read", "read-time", "time-ago", "date-published", "published-date",
                "publish-date", "datepublished")


def clean(text: str) -> str:
    """White space folded to single spaces; no-break, zero-width and BOM characters out."""
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    return " ".join(text.split())


def norm(text: str | None) -> str:
    """``clean`` and lower case: for comparing texts (a title with a heading)."""
    return clean(text or "").lower()


def remove(tag, gone: set[int]) -> None:
    """Decompose, remembering the element and its descendants as gone: bs4's own ``decomposed``
    check on a Tag falls through to a search of the whole subtree, which is slow."""
    gone.add(id(tag))
    gone.update(id(d) for d in tag.descendants)
    tag.decompose()


def class_words(tag) -> set[str]:
    """The lower-case words of an element's class names and id ("post-meta" -> post, meta)."""
    attrs = tag.attrs or {}
    words = set()
    for value in [*(attrs.get("class") or []), attrs.get("id") or ""]:
        words.update(w for w in re.split(r"[^a-z]+", value.lower()) if w)
    return words


def names_of(tag) -> list[str]:
    """Class names, id and the naming data attributes some builders use instead of classes."""
    attrs = tag.attrs or {}
    names = [c.lower() for c in attrs.get("class") or []]
    for key in ("id", "data-hook", "data-testid"):
        if isinstance(attrs.get(key), str):
            names.append(attrs[key].lower())
    return names


def is_meta(tag) -> bool:
    """An element that carries metadata (a byline, a date line, a "meta" box)."""
    for name in names_of(tag):
        words = set(w for w in re.split(r"[^a-z]+", name) if w)
        if words & META_WORDS or any(p in name for p in META_PHRASES):
            return True
    prop = (tag.attrs or {}).get("itemprop")
    return isinstance(prop, str) and prop in ("datePublished", "author", "dateModified")


def in_text(tag) -> bool:
    """An inline element inside running text (a link in a sentence is not a menu)."""
    for p in tag.parents:
        if p.name in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "blockquote",
                      "figcaption", "dd", "dt"):
            return True
        if p.name not in INLINE_TAGS:
            return False
    return False


def inside(el, ancestor) -> bool:
    """Whether ``el`` is ``ancestor`` or one of its descendants."""
    if el is None:
        return False
    if el is ancestor:
        return True
    return any(p is ancestor for p in el.parents)
