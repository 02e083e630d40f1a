"""Theme assignment for documents that are not in the store, and threshold calibration.

``assign_documents`` scores passages exactly as ``build_themes`` does for stored ones (same
passages, same estimator, same document context), so ``ics-text themes assign FILE`` and a later
``ics-text themes show`` agree.
"""

from __future__ import annotations

from pathlib import Path

from ..records import Document
from .embeddings import Encoder
from .passages import passage_spans
from .taxonomy import default_taxonomy_path, load_taxonomy


def _assigner(themes, encoder, labelled=None):
    from .build import make_assigner

    return make_assigner(themes, encoder, labelled=labelled)


def assign_documents(docs: list[Document], taxonomy=None, encoder: Encoder | None = None,
                     labelled=None) -> list[dict]:
    """Contract-shaped results (``spec/themes.md``) for parsed documents, one dict each."""
    from .tuning import themed

    themes = load_taxonomy(taxonomy)
    encoder = themed(encoder or Encoder())
    assigner = _assigner(themes, encoder, labelled)
    spans = [passage_spans(d) for d in docs]
    flat = [p for ps in spans for p in ps]
    groups = [i for i, ps in enumerate(spans) for _ in ps]
    texts = [p.text for p in flat]
    picked = assigner.assign(encoder.encode(texts), groups=groups, texts=texts) if flat else []
    out, k = [], 0
    for d, ps in zip(docs, spans):
        passages = []
        for p in ps:
            passages.append({"text": p.text, "start": p.start, "end": p.end,
                             "themes": [t.to_dict() for t in picked[k]]})
            k += 1
        out.append({"source": d.source, "title": d.title, "passages": passages,
                    "errors": list(d.errors)})
    return out


def assign_files(paths: list[str], taxonomy=None, encoder: Encoder | None = None, labelled=None) -> dict:
    """Parse and assign files; a file that cannot be parsed gets its entry with an error."""
    from ..collect.parse import ParseError, parse_file

    taxonomy = taxonomy or default_taxonomy_path()
    docs, slots = [], []
    entries: list[dict | None] = []
    for path in paths:
        try:
            doc = parse_file(path)
            doc.source = str(path)
            docs.append(doc)
            slots.append(len(entries))
            entries.append(None)
        except ParseError as e:
            entries.append({"source": str(path), "title": None, "passages": [], "errors": [str(e)]})
        except Exception as e:  # a parser bug must not stop the batch
            entries.append({"source": str(path), "title": None, "passages": [],
                            "errors": [f"{path}: could not be read ({type(e).__name__}: {e})"]})
    if docs:
        for slot, result in zip(slots, assign_documents(docs, taxonomy, encoder, labelled)):
            entries[slot] = result
    return {"taxonomy": _shown(taxonomy), "documents": entries}


def calibrate_taxonomy(taxonomy=None, labelled=None, encoder: Encoder | None = None,
                       write: bool = True, folds: int = 5) -> dict:
    """Fit per-theme thresholds on the labelled passages and (by default) write them to the file.

    Returns the thresholds, the labelled set's size, and macro/micro F1 both in-sample and held out
    (cross-validated over documents), so the caller sees how far the fitted cuts generalise.
    """
    from .calibrate import calibrate, cross_validate, load_labelled, prf
    from .taxonomy import parse_taxonomy, write_thresholds

    path = Path(taxonomy or default_taxonomy_path())
    themes = load_taxonomy(path)
    # calibrate from the descriptions and examples alone, not from previously written thresholds
    plain = parse_taxonomy({t.id: {"name": t.name, "description": t.description,
                                   "examples": t.examples} for t in themes}, str(path))
    data = load_labelled(labelled, known={t.id for t in themes})
    if len(data) == 0:
        raise ValueError(f"no labelled passages under {labelled or 'benchmarks/annotated/themes'}")
    from .tuning import themed

    encoder = themed(encoder or Encoder())
    X = encoder.encode(data.texts)
    fitted = calibrate(plain, encoder, data)
    Y = fitted._indicator(data.labels)
    insample = prf(Y, fitted.predict(X, groups=data.groups, texts=data.texts), fitted.theme_ids_)
    ids, Yc, pred, _ = cross_validate(plain, encoder, data, folds=folds, X=X)
    held = prf(Yc, pred, ids)
    thresholds = fitted.thresholds()
    if write:
        write_thresholds(path, thresholds)
    return {"taxonomy": str(path), "passages": len(data), "documents": len(set(data.groups)),
            "thresholds": thresholds, "calibrated": dict(zip(fitted.theme_ids_, map(bool, fitted.calibrated_))),
            "in_sample": {"macro_f1": insample["macro"]["f1"], "micro_f1": insample["micro"]["f1"]},
            "held_out": {"macro_f1": held["macro"]["f1"], "micro_f1": held["micro"]["f1"]},
            # a tuned model has seen every label: its "held out" figure is optimistic
            "tuned": bool(encoder.patch),
            "errors": data.errors, "written": write}


def _shown(path) -> str:
    """The taxonomy path as a user would type it: relative to the current folder when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
