#!/usr/bin/env python3
"""Quotes in detail, for working on the ``ics_quotes`` component.

Runs the model plus ``ics_quotes`` alone over the annotated corpus files and the worked examples,
and prints every missed and extra quote, every speaker or ``partial`` disagreement, then
precision/recall/F1, speaker accuracy (by last name, as ``benchmarks/quality.py``) and how often
``partial``, ``speaker_org`` and ``speaker_role`` agree with the annotation (roles compared
ignoring case; annotators differ on how much of a role to keep, so that figure is a guide only).

Usage (from the repository root):
    .venv/bin/python benchmarks/quotes_dev.py [--roles] [--only SUBSTR]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from quality import match_text, norm  # noqa: E402  (the same matching as the benchmark)


def items(only: str | None):
    from ics_text.collect.parse import parse_file

    for f in sorted(glob.glob(str(ROOT.parent / "shared" / "examples" / "*.expected.json"))):
        yield f, Path(f[:-len(".expected.json")] + ".txt").read_text(encoding="utf-8"), json.load(open(f))
    for f in sorted(glob.glob(str(ROOT / "benchmarks" / "annotated" / "extraction" / "*" / "*.json"))):
        if only and only not in f:
            continue
        exp = json.load(open(f, encoding="utf-8"))
        try:
            text = parse_file(ROOT / exp["source"]).text
        except Exception as e:  # noqa: BLE001 - report and go on
            print(f"{f}: cannot read {exp.get('source')}: {e}")
            continue
        yield f, text, exp


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--roles", action="store_true", help="also list role and organisation disagreements")
    ap.add_argument("--only", help="only annotation files whose path contains this")
    args = ap.parse_args()

    import spacy

    import ics_text.extract.quotes  # noqa: F401  (registers the factory)
    from ics_text.extract.pipeline import model_name

    nlp = spacy.load(model_name())
    nlp.add_pipe("ics_quotes")
    tp = fp = fn = speaker_ok = partial_ok = org_ok = role_ok = n_fields = docs = 0
    for f, text, exp in items(args.only):
        docs += 1
        name = os.path.relpath(f, ROOT)
        found = nlp(text)._.quotes
        expected = exp.get("quotes", [])
        used, hits = set(), []
        for e in expected:
            for i, q in enumerate(found):
                if i not in used and match_text(e["text"], q.text):
                    used.add(i)
                    hits.append((e, q))
                    break
        tp += len(hits)
        fp += len(found) - len(hits)
        fn += len(expected) - len(hits)
        for e in expected:
            if all(e is not h[0] for h in hits):
                print(f"{name}: MISSED {e['text'][:80]!r} ({e.get('speaker')})")
        for i, q in enumerate(found):
            if i not in used:
                print(f"{name}: EXTRA {q.text[:80]!r} [{q.speaker} | {q.cue} | partial={q.partial}]")
        for e, q in hits:
            want = norm(e.get("speaker"))
            ok = (want.split()[-1] in norm(q.speaker)) if want else q.speaker is None
            speaker_ok += ok
            if not ok:
                print(f"{name}: SPEAKER {q.text[:50]!r}: expected {e.get('speaker')!r}, found {q.speaker!r}")
            if bool(e.get("partial")) == q.partial:
                partial_ok += 1
            else:
                print(f"{name}: PARTIAL {q.text[:50]!r}: expected {e.get('partial')}, found {q.partial}")
            if "speaker_org" in e:
                n_fields += 1
                org_ok += (e.get("speaker_org") or None) == q.speaker_org
                role_ok += norm(e.get("speaker_role")) == norm(q.speaker_role)
                if args.roles and (e.get("speaker_org") or None) != q.speaker_org:
                    print(f"{name}: ORG {q.text[:40]!r}: expected {e.get('speaker_org')!r}, found {q.speaker_org!r}")
                if args.roles and norm(e.get("speaker_role")) != norm(q.speaker_role):
                    print(f"{name}: ROLE {q.text[:40]!r}: expected {e.get('speaker_role')!r}, "
                          f"found {q.speaker_role!r}")
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"{docs} documents: quotes P={p:.3f} R={r:.3f} F1={f1:.3f} (tp {tp}, fp {fp}, fn {fn})")
    print(f"speaker accuracy {speaker_ok}/{tp} = {speaker_ok / max(tp, 1):.3f}; partial {partial_ok}/{tp}; "
          f"organisation {org_ok}/{n_fields}; role {role_ok}/{n_fields}")


if __name__ == "__main__":
    main()
