"""How far two annotators agree on theme labels: the ceiling for any automatic method.

    .venv/bin/python benchmarks/agreement.py [--json OUT]

Every labelled passage was labelled twice, independently, from the same guidelines
(benchmarks/annotated/AUDIT.md section 5 and models/themes.yaml): annotator A (the first pass, in
``agreement/themes_a`` and ``agreement/heldout_a``) and annotator B (``agreement/themes_b`` and
``agreement/heldout_b``), B without seeing A's labels. The disagreements were then settled by an
adjudicator who saw both label sets (not whose they were) and the guidelines, never a model's output;
the result is the gold set the assigner is trained and scored on (``annotated/themes``,
``heldout/themes``).

Printed per theme and as macro/micro averages: F1 of A against B (F1 is symmetric in the two, so no
annotator is taken as the truth), Cohen's kappa, and each annotator's F1 against the gold labels (how
good a single careful person is: the figure to set a model's F1 beside).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from ics_text.themes.taxonomy import load_taxonomy  # noqa: E402

SETS = {
    "development": ("agreement/themes_a", "agreement/themes_b", "annotated/themes"),
    "held-out": ("agreement/heldout_a", "agreement/heldout_b", "heldout/themes"),
    "training-only": ("agreement/train_a", "agreement/train_b", "annotated/themes_train"),
}


def load(folder: Path) -> dict[tuple[str, int], list[str]]:
    """(file name, passage number) -> themes, with the passage text checked between sets later."""
    out = {}
    for f in sorted(folder.glob("*/*.json")) + sorted(folder.glob("*.json")):
        for i, p in enumerate(json.loads(f.read_text(encoding="utf-8"))["passages"]):
            out[(f.name, i)] = (p["text"], p.get("themes") or [])
    return out


def indicator(labels: list[list[str]], ids: list[str]) -> np.ndarray:
    return np.array([[t in ls for t in ids] for ls in labels], dtype=bool)


def compare(P: np.ndarray, Q: np.ndarray, ids: list[str]) -> dict:
    """Per-theme F1 and Cohen's kappa of two 0/1 label matrices, with macro and micro F1."""
    per = {}
    for j, t in enumerate(ids):
        p, q = P[:, j], Q[:, j]
        both = int((p & q).sum())
        f1 = 2 * both / (p.sum() + q.sum()) if p.sum() + q.sum() else float("nan")
        po = float((p == q).mean())
        pe = p.mean() * q.mean() + (1 - p.mean()) * (1 - q.mean())
        kappa = (po - pe) / (1 - pe) if pe < 1 else float("nan")
        per[t] = {"f1": f1, "kappa": kappa, "n_first": int(p.sum()), "n_second": int(q.sum())}
    scored = [v for v in per.values() if v["n_first"] + v["n_second"]]
    macro = float(np.nanmean([v["f1"] for v in scored]))
    micro = 2 * float((P & Q).sum()) / max(int(P.sum() + Q.sum()), 1)
    return {"per_theme": per, "macro_f1": macro, "micro_f1": micro,
            "same_set": float((P == Q).all(axis=1).mean())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", default=None, help="Also write the figures to this JSON file.")
    args = ap.parse_args()
    ids = [t.id for t in load_taxonomy()]
    report = {}
    for name, (a_dir, b_dir, gold_dir) in SETS.items():
        a, b, gold = (load(ROOT / d) for d in (a_dir, b_dir, gold_dir))
        keys = [k for k in a if k in b and k in gold]
        bad = [k for k in keys if not a[k][0] == b[k][0] == gold[k][0]]
        if bad or len(keys) != len(a):
            sys.exit(f"{name}: the three label sets do not list the same passages ({len(bad)} differ)")
        A, B, G = (indicator([s[k][1] for k in keys], ids) for s in (a, b, gold))
        ab, ag, bg = compare(A, B, ids), compare(A, G, ids), compare(B, G, ids)
        report[name] = {"passages": len(keys), "a_vs_b": ab, "a_vs_gold": ag, "b_vs_gold": bg}
        print(f"\n{name}: {len(keys)} passages, {len({k[0] for k in keys})} documents")
        head = f"{'theme':26s} {'A':>4s} {'B':>4s} {'gold':>4s} | {'A~B F1':>6s} {'kappa':>5s} | {'A~gold':>6s} {'B~gold':>6s}"
        print(head)
        print("-" * len(head))
        for j, t in enumerate(ids):
            x = ab["per_theme"][t]
            print(f"{t:26s} {x['n_first']:4d} {x['n_second']:4d} {int(G[:, j].sum()):4d} | "
                  f"{x['f1']:6.2f} {x['kappa']:5.2f} | {ag['per_theme'][t]['f1']:6.2f} "
                  f"{bg['per_theme'][t]['f1']:6.2f}")
        print("-" * len(head))
        print(f"macro F1: A~B {ab['macro_f1']:.3f}, A~gold {ag['macro_f1']:.3f}, B~gold {bg['macro_f1']:.3f}"
              f"   (micro A~B {ab['micro_f1']:.3f}; same label set on {ab['same_set']:.0%} of passages)")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
