"""Themes stage speed, as ratios.

    .venv/bin/python benchmarks/themes_speed.py [--passages 100000] [--queries 100]

1. Encoding throughput: ``Encoder.encode`` (hashing, cache look-ups, cache writes, batching) on an
   empty cache against raw ``SentenceTransformer.encode`` on the same passages, same batch size
   (target >= 0.9). Each is run twice, alternately, and the faster run of each counts (the machine is
   shared; this damps noise).
2. Unchanged re-run: ``build_themes`` over the bundled corpus in a fresh store, then again with
   nothing changed (target <= 5% of the first run's time).
3. Search latency over N synthetic passages (default 100,000: 20-60 words each drawn with Zipf-like
   frequencies from function words, policy words and 8,000 made-up words; random unit vectors as
   their embeddings; in a real store): 2-4 policy words per query, every query distinct (nothing is
   cached between queries: each is encoded by the real model every time); per-query time of keyword,
   semantic and hybrid search (and hybrid with a publisher and date filter) with a warm
   ``Searcher``; p50 and p95 (target p95 < 50 ms). Also the two parts of semantic search on their
   own: encoding the query, and the index scan given its vector.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
warnings.filterwarnings("ignore")

from ics_text.records import Document  # noqa: E402
from ics_text.store import Store  # noqa: E402
from ics_text.themes import embeddings  # noqa: E402
from ics_text.themes.embeddings import Encoder, load_model, text_hash  # noqa: E402
from ics_text.themes.passages import passage_spans  # noqa: E402


def corpus_documents() -> list[tuple[Document, bytes]]:
    from ics_text.collect.ingest import find_files
    from ics_text.collect.parse import ParseError, parse_file

    out = []
    for f in find_files([str(ROOT / "corpus")]):
        if "pdf-src" in str(f):
            continue
        try:
            doc = parse_file(f)
        except ParseError:
            continue
        out.append((doc, Path(f).read_bytes()))
    return out


def bench_encoding(texts: list[str]) -> dict:
    model = load_model()
    model.encode(texts[:64], batch_size=64)  # warm up
    raw_t, ours_t = [], []
    for _ in range(2):
        t = time.perf_counter()
        model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True,
                     show_progress_bar=False)
        raw_t.append(time.perf_counter() - t)
        with tempfile.TemporaryDirectory() as d:
            store = Store(Path(d) / "enc.db")
            enc = Encoder(store)
            embeddings._MEMO.clear()  # measure real encoding, not vectors kept from the last round
            t = time.perf_counter()
            enc.encode(texts)
            ours_t.append(time.perf_counter() - t)
            store.close()
    raw, ours = min(raw_t), min(ours_t)
    return {"passages": len(texts), "raw_s": raw, "ours_s": ours, "raw_per_s": len(texts) / raw,
            "ours_per_s": len(texts) / ours, "ratio": raw / ours}


def bench_rerun(docs) -> dict:
    from ics_text.themes.build import build_themes

    with tempfile.TemporaryDirectory() as d:
        store = Store(Path(d) / "rerun.db")
        for doc, raw in docs:
            store.add(doc, raw)
        embeddings._MEMO.clear()
        t = time.perf_counter()
        first = build_themes(store)
        first_s = time.perf_counter() - t
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            again = build_themes(store)
            runs.append(time.perf_counter() - t)
        store.close()
    second_s = float(np.median(runs))
    return {"documents": len(docs), "passages": first["passages"], "first_s": first_s,
            "rerun_s": second_s, "ratio": second_s / first_s, "rerun_encoded": again["encoded"]}


WORDS = ("council councils care social adult health NHS funding settlement workforce staff vacancies "
         "hospital discharge waiting lists prevention public grant children SEND placements digital "
         "records data integrated systems boards partnership local government devolution autonomy "
         "reorganisation unitary commissioning providers market fees targets inspection regulation "
         "election manifesto ministers councillors inequalities deprivation neighbourhood community "
         "primary teams winter pressure beds budget deficit reform cap green paper levy precept pay "
         "recruitment retention training plan spending review inflation demand services residents "
         "the of and to in for a that is on with are by this will be as from at have not").split()


FUNCTION = "the of and to in for a that is on with are by this will be as from at have not".split()


def vocabulary(size: int = 8000) -> tuple[list[str], list[float]]:
    """Function words, the policy words, then made-up words, with Zipf-like weights by rank
    (real prose: a few very common words, a long tail of rare ones)."""
    rng = random.Random(7)
    syll = ["ba", "ce", "di", "fo", "gu", "ha", "je", "ki", "lo", "mu", "na", "pe", "qui", "ro", "su",
            "ta", "ve", "wo", "xi", "za", "tion", "ment", "ing", "al", "er"]
    made = set()
    while len(made) < size:
        made.add("".join(rng.choice(syll) for _ in range(rng.randint(2, 4))))
    policy = [w for w in WORDS if w not in FUNCTION]
    words = FUNCTION + policy + sorted(made)
    weights = [1.0 / (r + 2) ** 1.05 for r in range(len(words))]
    return words, weights


def synthetic_centres(dim: int, n: int = 400) -> np.ndarray:
    """Topic centres: real passage embeddings cluster by subject, so synthetic ones do too."""
    c = np.random.default_rng(42).standard_normal((n, dim)).astype(np.float32)
    return c / np.linalg.norm(c, axis=1, keepdims=True)


def synthetic_vector(rng, centres: np.ndarray, spread: float = 0.8) -> np.ndarray:
    """A unit vector near a random centre (cosine to it about 0.75, like a passage to its topic)."""
    dim = centres.shape[1]
    v = centres[rng.integers(len(centres))] + spread * rng.standard_normal(dim).astype(np.float32) / np.sqrt(dim)
    return (v / np.linalg.norm(v)).astype(np.float32)


def synthetic_store(path: Path, n: int, dim: int, model_name: str, per_doc: int = 50) -> None:
    rng = random.Random(0)
    vocab, weights = vocabulary()
    centres = synthetic_centres(dim)
    nrng = np.random.default_rng(0)
    store = Store(path)
    from ics_text.themes.schema import ensure_schema

    ensure_schema(store)
    pubs = ["NHS Confederation", "Local Government Association", "County Councils Network"]
    n_docs = (n + per_doc - 1) // per_doc
    with store.transaction() as c:
        pid = 0
        for d in range(n_docs):
            paras = []
            for _ in range(min(per_doc, n - pid)):
                words = rng.choices(vocab, weights, k=rng.randint(20, 60))
                paras.append(" ".join(words).capitalize() + ".")
                pid += 1
            doc = Document.from_blocks(f"synthetic/{d}.txt", [("paragraph", p) for p in paras],
                                       title=f"Synthetic {d}", publisher=pubs[d % 3],
                                       published=f"{2019 + d % 6}-{1 + d % 12:02d}-15", type="report")
            raw = doc.text.encode()
            h = text_hash(doc.text)
            c.execute("INSERT OR IGNORE INTO snapshots VALUES (?, ?, ?, ?)", (h, raw, "text/plain", len(raw)))
            doc_id = store._insert_document(c, doc, doc.source, 1, h)
            rows, embs = [], []
            for seq, sp in enumerate(passage_spans(doc)):
                th = text_hash(sp.text)
                rows.append((doc_id, seq, sp.block_seq, sp.kind, None, sp.text, sp.start, sp.end, th))
                v = synthetic_vector(nrng, centres)
                embs.append((model_name, th, dim, v.tobytes()))
            c.executemany('INSERT INTO theme_passages (document_id, seq, block_seq, kind, heading, text, '
                          'start, "end", text_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', rows)
            c.executemany("INSERT OR IGNORE INTO theme_embeddings VALUES (?, ?, ?, ?)", embs)
            c.execute("INSERT INTO theme_documents VALUES (?, ?, 'synthetic')", (doc_id, len(rows)))
    store.close()


def bench_search(n: int, n_queries: int, keep: str | None = None) -> dict:
    from ics_text.themes.search import Searcher

    enc = Encoder()
    rng = random.Random(1)
    policy = [w for w in WORDS if w not in FUNCTION]
    queries: list[str] = []
    while len(queries) < n_queries + 1:  # distinct: a repeated query must not flatter the figures
        q = " ".join(rng.sample(policy, rng.randint(2, 4)))
        if q not in queries:
            queries.append(q)
    warm = queries.pop()  # warms the searcher up; not one of the timed queries
    out = {}
    with tempfile.TemporaryDirectory() as d:
        path = Path(keep) if keep else Path(d) / "search.db"
        t = time.perf_counter()
        if not path.exists():
            synthetic_store(path, n, enc.dim, enc.model_name)
        out["build_s"] = time.perf_counter() - t
        store = Store(path)
        enc = Encoder(store)
        s = Searcher(store, encoder=enc)
        t = time.perf_counter()
        out["passages"] = len(s.index)
        out["index_load_s"] = time.perf_counter() - t
        for mode in ("keyword", "semantic", "hybrid"):
            s.search(warm, mode=mode)
            times = []
            for q in queries:
                t = time.perf_counter()
                s.search(q, mode=mode, limit=10)
                times.append((time.perf_counter() - t) * 1000)
            out[mode] = {"p50_ms": float(np.percentile(times, 50)), "p95_ms": float(np.percentile(times, 95)),
                         "max_ms": float(max(times))}
        # the part no index can remove: encoding the query itself
        times = []
        for q in queries:
            t = time.perf_counter()
            enc.encode_query(q)
            times.append((time.perf_counter() - t) * 1000)
        out["query_encoding"] = {"p50_ms": float(np.percentile(times, 50)),
                                 "p95_ms": float(np.percentile(times, 95))}
        # the rest of semantic search: the index scan for an encoded query
        vecs = [enc.encode_query(q) for q in queries]
        times = []
        for v in vecs:
            t = time.perf_counter()
            s.index.top(v, 10)
            times.append((time.perf_counter() - t) * 1000)
        out["index_scan"] = {"p50_ms": float(np.percentile(times, 50)),
                             "p95_ms": float(np.percentile(times, 95))}
        # filtered search: one publisher, a date range
        times = []
        for q in queries:
            t = time.perf_counter()
            s.search(q, mode="hybrid", publisher="lga", since="2021-01-01")
            times.append((time.perf_counter() - t) * 1000)
        out["hybrid_filtered"] = {"p50_ms": float(np.percentile(times, 50)),
                                  "p95_ms": float(np.percentile(times, 95))}
        store.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--passages", type=int, default=100_000, help="synthetic passages for search")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--skip", nargs="*", default=[], choices=["encode", "rerun", "search"])
    ap.add_argument("--keep", default=None, help="synthetic store file to reuse (made if missing)")
    args = ap.parse_args()
    import torch

    print(f"torch threads: {torch.get_num_threads()}, device: "
          f"{'cuda' if torch.cuda.is_available() else 'cpu'}")
    docs = corpus_documents() if not {"encode", "rerun"} <= set(args.skip) else []
    if "encode" not in args.skip:
        texts = list(dict.fromkeys(p.text for d, _ in docs for p in passage_spans(d)))
        r = bench_encoding(texts)
        print(f"encoding {r['passages']} passages: raw {r['raw_per_s']:.1f}/s, ours {r['ours_per_s']:.1f}/s "
              f"-> throughput ratio {r['ratio']:.2f} (target >= 0.9)")
    if "rerun" not in args.skip:
        r = bench_rerun(docs)
        print(f"build over {r['documents']} documents / {r['passages']} passages: first run "
              f"{r['first_s']:.2f} s, unchanged re-run {r['rerun_s'] * 1000:.1f} ms "
              f"-> {r['ratio'] * 100:.2f}% of the first run (target <= 5%)")
    if "search" not in args.skip:
        r = bench_search(args.passages, args.queries, args.keep)
        print(f"search over {r['passages']} synthetic passages (store built in {r['build_s']:.0f} s, "
              f"index loaded in {r['index_load_s']:.2f} s"
              + f"), {args.queries} queries:")
        for mode in ("keyword", "semantic", "hybrid", "hybrid_filtered", "query_encoding",
                     "index_scan"):
            if mode not in r:
                continue
            m = r[mode]
            print(f"  {mode:16s} p50 {m['p50_ms']:6.1f} ms   p95 {m['p95_ms']:6.1f} ms"
                  + ("   (target p95 < 50 ms)" if mode in ("semantic", "hybrid", "hybrid_filtered")
                     else ""))


if __name__ == "__main__":
    main()
