#!/usr/bin/env python3
"""Extraction quality on the annotated set: precision, recall and F1 per finding type.

Reads ``benchmarks/annotated/extraction/<site>/*.json`` (each names its corpus file in "source")
and the worked examples (``../shared/examples/*.txt`` with ``*.expected.json``), runs our extraction
and, side by side, textacy 0.13's ``direct_quotations`` (quotes) and quantulum3 (statistics) on the
same documents. Matching follows ``../shared/tools/score_examples.py``: a found quote or
recommendation matches an expected one when one text holds the other's first 40 characters
(normalised); a statistic when its kind family (percent/proportion vs money vs count) and value agree.

Usage (from the repository root):
    .venv/bin/python benchmarks/quality.py [--misses] [--no-baselines] [--no-examples] [--only SUBSTR]
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import re
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = ("quotes", "statistics", "recommendations")


# -- matching (as score_examples.py) -----------------------------------------------------------------

def norm(s):
    s = unicodedata.normalize("NFKC", s or "")
    for a, b in (("\u2011", "-"), ("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        s = s.replace(a, b)
    return re.sub(r"\s+", " ", s).strip().lower()


def match_text(exp, found, n=40):
    return norm(exp)[:n] in norm(found) or norm(found)[:n] in norm(exp)


def fam(k):
    return "share" if k in ("percent", "proportion") else k


def match_stat(e, f):
    try:
        v, ev = float(f.get("value")), float(e["value"])
    except (TypeError, ValueError):
        return False
    tol = 1.5 if fam(e["kind"]) == "share" else max(0.01, abs(ev) * 0.001)
    return fam(f.get("kind")) == fam(e["kind"]) and abs(v - ev) <= tol


def same_for(kind):
    if kind == "statistics":
        return match_stat
    return lambda x, y: match_text(x["text"], y.get("text"))


def pair(expected, found, same):
    used, hits = set(), []
    for e in expected:
        for i, f in enumerate(found):
            if i not in used and same(e, f):
                used.add(i)
                hits.append((e, f))
                break
    return hits


# -- the annotated set ------------------------------------------------------------------------------

def load_cases(annotated: str, examples: str | None, only: str | None):
    """[(name, Document, expected dict)] for every annotation whose source parses."""
    from ics_text.collect.parse import ParseError, parse_file

    manifests = _manifests()
    cases, skipped = [], []
    files = sorted(glob.glob(os.path.join(annotated, "**", "*.json"), recursive=True))
    for f in files:
        exp = json.load(open(f, encoding="utf-8"))
        src = exp.get("source") or ""
        path = ROOT / src
        if only and only not in f and only not in src:
            continue
        try:
            doc = parse_file(path)
        except ParseError as e:
            skipped.append(f"{os.path.relpath(f, ROOT)}: {e}")
            continue
        _fill_meta(doc, src, manifests)
        cases.append((os.path.relpath(f, ROOT), doc, exp))
    if examples:
        for t in sorted(glob.glob(os.path.join(examples, "*.txt"))):
            if only and only not in t:
                continue
            exp = json.load(open(t[:-4] + ".expected.json", encoding="utf-8"))
            try:
                doc = parse_file(t)
            except ParseError as e:
                skipped.append(f"{t}: {e}")
                continue
            cases.append(("examples/" + os.path.basename(t), doc, exp))
    return cases, skipped


def _manifests():
    """{corpus-relative path: manifest row} from corpus/<site>/manifest.csv."""
    out = {}
    for m in glob.glob(str(ROOT / "corpus" / "*" / "manifest.csv")):
        site = os.path.basename(os.path.dirname(m))
        with open(m, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                out[f"corpus/{site}/{row['path']}"] = row
    return out


def _fill_meta(doc, src, manifests):
    """Metadata a collected document would carry (the store gets it from the manifest)."""
    row = manifests.get(src)
    if row:
        doc.publisher = doc.publisher or row.get("publisher") or None
        doc.published = doc.published or row.get("published") or None
        doc.title = doc.title or row.get("title") or None


# -- systems ----------------------------------------------------------------------------------------

def run_ours(cases, components=None):
    from ics_text.extract.pipeline import extract_documents

    def failed(doc, e):
        print(f"  extraction failed on {doc.source}: {type(e).__name__}: {e}", file=sys.stderr)

    t = time.perf_counter()
    out = [f.to_dict() for f in extract_documents([d for _, d, _ in cases], on_error=failed,
                                                  components=components)]
    return out, time.perf_counter() - t


def run_textacy(cases, verbose=False):
    import spacy
    from textacy.extract.triples import direct_quotations

    from ics_text.extract.pipeline import model_name

    nlp = spacy.load(model_name())
    out = []
    failed = 0
    t = time.perf_counter()
    for (_, d, _), sdoc in zip(cases, nlp.pipe(d.text for _, d, _ in cases)):
        quotes = []
        try:
            triples = list(direct_quotations(sdoc))
        except Exception as e:  # noqa: BLE001 - a baseline that crashes on a document scores nothing there
            # textacy refuses documents with an odd number of quote marks (quotes run over paragraphs)
            failed += 1
            if verbose:
                print(f"  textacy failed on {d.source}: {type(e).__name__}: {e}", file=sys.stderr)
            triples = []
        for tr in triples:
            content = sdoc[tr.content[0].i:tr.content[-1].i + 1].text if tr.content else ""
            content = content.strip().strip("\"'\u201c\u201d\u2018\u2019").strip()
            speaker = " ".join(tok.text for tok in tr.speaker) if tr.speaker else None
            quotes.append({"text": content, "speaker": speaker})
        out.append({"quotes": quotes})
    return out, time.perf_counter() - t, failed


def run_quantulum(cases):
    from quantulum3 import classifier, parser

    classifier.USE_CLF = False
    out = []
    t = time.perf_counter()
    for _, d, _ in cases:
        stats = []
        try:
            found = parser.parse(d.text)
        except Exception as e:  # noqa: BLE001
            print(f"  quantulum3 failed on {d.source}: {type(e).__name__}: {e}", file=sys.stderr)
            found = []
        for q in found:
            unit = q.unit
            name = (unit.name or "").lower()
            entity = (unit.entity.name if unit.entity else "").lower()
            if name in ("percentage", "percent"):
                kind = "percent"
            elif entity == "currency" or "pound" in name or "penny" in name or "pence" in name:
                kind = "money"
                if "penny" in name or "pence" in name:
                    q.value = q.value / 100
            elif entity in ("dimensionless", "") or name in ("dimensionless", ""):
                kind = "count"
            else:
                continue  # lengths, times, dates: not what the contract counts
            stats.append({"text": q.surface, "kind": kind, "value": q.value, "qualifier": None})
        out.append({"statistics": stats})
    return out, time.perf_counter() - t


# -- scoring ----------------------------------------------------------------------------------------

def score(cases, results, kinds, misses=False, label=""):
    tot = {k: [0, 0, 0] for k in kinds}
    speaker = [0, 0]
    qualifier = [0, 0]
    actor = [0, 0]
    target = [0, 0]
    not_stats = 0
    for (name, _doc, exp), got in zip(cases, results):
        for kind in kinds:
            e, f = exp.get(kind, []), got.get(kind, [])
            hits = pair(e, f, same_for(kind))
            tot[kind][0] += len(hits)
            tot[kind][1] += len(f) - len(hits)
            tot[kind][2] += len(e) - len(hits)
            if kind == "quotes":
                for x, y in hits:
                    speaker[1] += 1
                    last = norm(x.get("speaker")).split()[-1:] or [""]
                    speaker[0] += bool(x.get("speaker")) and last[0] in norm(y.get("speaker")) \
                        or not x.get("speaker") and not y.get("speaker")
            if kind == "statistics":
                for x, y in hits:
                    if "qualifier" in x:
                        qualifier[1] += 1
                        qualifier[0] += norm(x.get("qualifier")) == norm(y.get("qualifier"))
                banned = {norm(s) for s in exp.get("not_statistics", [])}
                not_stats += sum(1 for y in f if norm(y.get("text")) in banned)
            if kind == "recommendations":
                for x, y in hits:
                    if "actor" in x:
                        actor[1] += 1
                        actor[0] += norm(x.get("actor")) == norm(y.get("actor"))
                    if "target" in x:
                        target[1] += 1
                        target[0] += norm(x.get("target")) == norm(y.get("target"))
            if misses:
                hit_e = [h[0] for h in hits]
                hit_f = [h[1] for h in hits]
                missed = [x for x in e if all(x is not h for h in hit_e)]
                extra = [y for y in f if all(y is not h for h in hit_f)]
                for x in missed:
                    print(f"  {label}{name}: MISSED {kind[:-1]}: {_show(kind, x)}")
                for y in extra:
                    print(f"  {label}{name}: EXTRA  {kind[:-1]}: {_show(kind, y)}")
                if kind in ("quotes", "recommendations"):
                    for x, y in hits:
                        bad = _field_diffs(kind, x, y)
                        if bad:
                            print(f"  {label}{name}: FIELDS {kind[:-1]} {x['text'][:50]!r}: {bad}")
    return tot, speaker, qualifier, actor, target, not_stats


def _show(kind, r):
    if kind == "statistics":
        return f"{r.get('text')!r} {r.get('kind')} {r.get('value')}"
    extra = f" [{r.get('speaker')}]" if kind == "quotes" else f" [{r.get('actor')} -> {r.get('target')}]"
    return repr((r.get("text") or "")[:90]) + extra


def _field_diffs(kind, x, y):
    fields = ("speaker",) if kind == "quotes" else ("actor", "target")
    out = []
    for k in fields:
        if k in x and norm(x.get(k)) != norm(y.get(k)):
            if kind == "quotes" and x.get(k) and norm(x[k]).split()[-1] in norm(y.get(k)):
                continue
            out.append(f"{k} {y.get(k)!r} (expected {x.get(k)!r})")
    return "; ".join(out)


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1


def ratio(a):
    return f"{a[0] / a[1]:.3f} ({a[0]}/{a[1]})" if a[1] else "n/a"


DEV = ROOT / "benchmarks" / "annotated" / "extraction"
HELDOUT = ROOT / "benchmarks" / "heldout" / "extraction"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--annotated", help="score only this folder of annotations "
                    "(default: the development set, then the held-out set)")
    ap.add_argument("--examples", default=str(ROOT.parent / "shared" / "examples"))
    ap.add_argument("--no-examples", action="store_true", help="score the annotated corpus only")
    ap.add_argument("--no-baselines", action="store_true", help="skip textacy and quantulum3")
    ap.add_argument("--misses", action="store_true", help="print each document's misses and extras")
    ap.add_argument("--only", help="only annotations whose file name or source contains this")
    ap.add_argument("--components", help="comma-separated factories to run (default: all three)")
    a = ap.parse_args()

    examples = None if a.no_examples or not os.path.isdir(a.examples) else a.examples
    if a.annotated:
        sets = [(a.annotated, a.annotated, examples)]
    else:
        sets = [("development set (the rules were tuned on it)", str(DEV), examples),
                ("held-out set (written after the rules; see benchmarks/heldout/README.md)", str(HELDOUT), None)]
    for label, folder, ex in sets:
        print(f"=== {label}")
        report_set(a, *load_cases(folder, ex, a.only))
        print()


def report_set(a, cases, skipped):
    for s in skipped:
        print(f"skipped {s}", file=sys.stderr)
    if not cases:
        print("no annotated documents found")
        return
    n_exp = {k: sum(len(e.get(k, [])) for _, _, e in cases) for k in KINDS}
    print(f"{len(cases)} documents ({sum(1 for n, _, _ in cases if not n.startswith('examples/'))} annotated "
          f"corpus files + {sum(1 for n, _, _ in cases if n.startswith('examples/'))} worked examples); "
          f"expected: {n_exp['quotes']} quotes, {n_exp['statistics']} statistics, "
          f"{n_exp['recommendations']} recommendations\n")

    comps = a.components.split(",") if a.components else None
    ours, secs = run_ours(cases, comps)
    kinds = KINDS if comps is None else tuple(k for k in KINDS if "ics_" + k.replace("statistics", "statistics")
                                                  in comps or f"ics_{k}" in comps)
    tot, speaker, qualifier, actor, target, not_stats = score(cases, ours, kinds, a.misses)
    print(f"ics-text ({secs:.1f}s)")
    for kind, (tp, fp, fn) in tot.items():
        p, r, f1 = prf(tp, fp, fn)
        print(f"  {kind:16s} P={p:.3f} R={r:.3f} F1={f1:.3f}  (tp {tp}, fp {fp}, fn {fn})")
    print(f"  speaker accuracy    {ratio(speaker)}")
    print(f"  qualifier accuracy  {ratio(qualifier)}")
    print(f"  actor accuracy      {ratio(actor)}")
    print(f"  target accuracy     {ratio(target)}")
    print(f"  not_statistics reported: {not_stats}")

    if a.no_baselines:
        return
    print()
    try:
        tq, secs, failed = run_textacy(cases, a.misses)
        tot, speaker, *_ = score(cases, tq, ("quotes",), a.misses, label="textacy ")
        p, r, f1 = prf(*tot["quotes"])
        print(f"textacy 0.13 direct_quotations ({secs:.1f}s; raised an error on {failed} of {len(cases)} "
              f"documents, scored as finding nothing there)")
        print(f"  {'quotes':16s} P={p:.3f} R={r:.3f} F1={f1:.3f}  (tp {tot['quotes'][0]}, fp {tot['quotes'][1]}, "
              f"fn {tot['quotes'][2]})")
        print(f"  speaker accuracy    {ratio(speaker)}")
    except ImportError as e:
        print(f"textacy not installed ({e}): pip install -e '.[bench]'")
    print()
    try:
        qs, secs = run_quantulum(cases)
        tot, _, qualifier, *_rest = score(cases, qs, ("statistics",), a.misses, label="quantulum3 ")
        p, r, f1 = prf(*tot["statistics"])
        print(f"quantulum3 ({secs:.1f}s)")
        print(f"  {'statistics':16s} P={p:.3f} R={r:.3f} F1={f1:.3f}  (tp {tot['statistics'][0]}, "
              f"fp {tot['statistics'][1]}, fn {tot['statistics'][2]})")
        print(f"  qualifier accuracy  {ratio(qualifier)}  (quantulum3 reports no qualifiers)")
    except ImportError as e:
        print(f"quantulum3 not installed ({e}): pip install -e '.[bench]'")


if __name__ == "__main__":
    main()
