"""Discovery: cluster passage embeddings to find themes nobody seeded.

- Clustering: k-means (scikit-learn) on the normalised passage vectors, in passage-id order with a
  fixed seed, so the same store gives the same clusters and labels every time. k is chosen by the
  silhouette score (cosine, on a fixed sample) over a few candidates around sqrt(n / 2), or given.
- Labels: class-based TF-IDF (each cluster's passages as one document; CountVectorizer, English stop
  words, words and two-word phrases): a term scores high when it is frequent in the cluster and
  rare across clusters.
- Representatives: the passages closest to the cluster centre.
- Mapping to the taxonomy: the share of the cluster's passages that carry each seeded theme; a
  cluster whose best share is under ``novel_below`` is flagged ``novel`` (a candidate new theme).
- Nothing is dropped silently: passages too short to cluster (fewer than ``min_words`` words, such as
  "X said:" or a contact line) are reported as unclustered with their count; every other passage
  belongs to exactly one cluster (``members``).
"""

from __future__ import annotations

import math

import numpy as np

from ..store import Store
from .queries import PASSAGE_COLUMNS, citation, current_themes
from .schema import ensure_schema

SEED = 0


def choose_k(X: np.ndarray, candidates: list[int] | None = None) -> int:
    """The candidate k with the best silhouette (cosine, on a fixed sample of at most 2,000)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = len(X)
    base = max(2, round(math.sqrt(n / 2)))
    candidates = candidates or sorted({max(2, min(n - 1, int(base * f))) for f in (0.5, 0.75, 1, 1.5, 2)})
    best, best_s = candidates[0], -2.0
    for k in candidates:
        if k >= n:
            continue
        labels = KMeans(n_clusters=k, n_init=4, random_state=SEED).fit_predict(X)
        if len(set(labels)) < 2:
            continue
        s = silhouette_score(X, labels, metric="cosine", sample_size=min(n, 2000), random_state=SEED)
        if s > best_s + 1e-9:
            best, best_s = k, s
    return best


def ctfidf_terms(texts: list[str], labels: np.ndarray, k: int, top: int = 8) -> list[list[str]]:
    """Distinctive terms per cluster by class-based TF-IDF."""
    from sklearn.feature_extraction.text import CountVectorizer

    docs = [" ".join(t for t, l in zip(texts, labels) if l == c) for c in range(k)]
    vec = CountVectorizer(stop_words="english", ngram_range=(1, 2), min_df=1,
                          token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z\-]{2,}\b")
    try:
        counts = vec.fit_transform(docs).toarray().astype(float)
    except ValueError:  # nothing but stop words
        return [[] for _ in range(k)]
    terms = vec.get_feature_names_out()
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    avg_words = counts.sum() / k
    idf = np.log(1 + avg_words / np.maximum(counts.sum(axis=0), 1))
    scores = tf * idf
    out = []
    for c in range(k):
        order = np.lexsort((terms, -scores[c]))  # score, then alphabetical: deterministic ties
        picked = []
        for i in order:
            if scores[c, i] <= 0 or len(picked) >= top:
                break
            t = terms[i]
            # skip a word already covered by a chosen phrase and vice versa
            if any(t in p.split() or p in t.split() for p in picked):
                continue
            picked.append(str(t))
        out.append(picked)
    return out


def discover(store: Store, n_clusters: int | None = None, min_words: int = 6, top_terms: int = 8,
             representatives: int = 3, novel_below: float = 0.25, publisher=None, since=None,
             until=None, taxonomy=None, model_name: str | None = None) -> dict:
    """Cluster the current passages (filters apply) and describe each cluster."""
    from sklearn.cluster import KMeans

    from .build import load_vectors
    from .embeddings import default_model_path, model_key

    ensure_schema(store)
    model_name = model_name or model_key(default_model_path())
    ids, docs, mat = load_vectors(store, model_name, current=True)
    if publisher or since or until:
        where, args = store._filters(publisher=publisher, since=since, until=until)
        ok = {r[0] for r in store.conn.execute(f"SELECT id FROM documents WHERE {' AND '.join(where)}", args)}
        keep = np.array([d in ok for d in docs], dtype=bool)
        ids, docs, mat = ids[keep], docs[keep], mat[keep]
    texts = _texts(store, ids)
    long_enough = np.array([len(texts[int(i)].split()) >= min_words for i in ids], dtype=bool)
    c_ids, X = ids[long_enough], mat[long_enough]
    result = {"passages": int(len(ids)), "clustered": int(len(c_ids)),
              "unclustered": {"count": int((~long_enough).sum()),
                              "reason": f"fewer than {min_words} words"},
              "clusters": [], "members": {}}
    if len(c_ids) < 3:
        result["unclustered"] = {"count": int(len(ids)),
                                 "reason": "too few passages to cluster (need at least 3)"}
        result["clustered"] = 0
        return result
    k = n_clusters or choose_k(X)
    k = max(1, min(k, len(c_ids)))
    km = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit(X)
    labels = km.labels_
    # number clusters by size (largest first), then by smallest passage id: stable names
    order = sorted(range(k), key=lambda c: (-(labels == c).sum(), c_ids[labels == c].min()))
    rename = {old: new for new, old in enumerate(order)}
    labels = np.array([rename[l] for l in labels])
    centres = km.cluster_centers_[order]
    terms = ctfidf_terms([texts[int(i)] for i in c_ids], labels, k, top_terms)
    themes = current_themes(store, taxonomy)
    names = {t.id: t.name for t in themes}
    assigned = _assignments(store, c_ids)
    rows = _passage_rows(store, c_ids)
    for c in range(k):
        members = c_ids[labels == c]
        Xc = X[labels == c]
        centre = centres[c] / (np.linalg.norm(centres[c]) or 1.0)
        sims = Xc @ centre
        best = np.lexsort((members, -sims))[:representatives]
        share = {}
        for pid in members:
            for t in assigned.get(int(pid), ()):
                share[t] = share.get(t, 0) + 1
        mapped = sorted(((t, n / len(members)) for t, n in share.items()), key=lambda x: (-x[1], x[0]))
        top_theme = mapped[0] if mapped else (None, 0.0)
        result["clusters"].append({
            "cluster": c,
            "size": int(len(members)),
            "label": ", ".join(terms[c][:3]),
            "terms": terms[c],
            "theme": top_theme[0],
            "theme_name": names.get(top_theme[0]) if top_theme[0] else None,
            "theme_share": round(top_theme[1], 3),
            "themes": [{"id": t, "name": names.get(t, t), "share": round(s, 3)} for t, s in mapped[:3]],
            "novel": top_theme[1] < novel_below,
            "cohesion": round(float(sims.mean()), 4),
            "representatives": [{**{k2: rows[int(members[i])][k2] for k2 in
                                    ("passage_id", "document_id", "text", "start", "end", "title",
                                     "publisher", "published", "url", "source")},
                                 "similarity": round(float(sims[i]), 4),
                                 "citation": citation(rows[int(members[i])])} for i in best],
        })
        for pid in members:
            result["members"][int(pid)] = c
    result["k"] = k
    return result


def _texts(store: Store, ids) -> dict[int, str]:
    out = {}
    ids = [int(i) for i in ids]
    for i in range(0, len(ids), 900):
        part = ids[i:i + 900]
        out.update(store.conn.execute(
            f"SELECT id, text FROM theme_passages WHERE id IN ({','.join('?' * len(part))})", part).fetchall())
    return out


def _assignments(store: Store, ids) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    ids = [int(i) for i in ids]
    for i in range(0, len(ids), 900):
        part = ids[i:i + 900]
        for pid, tid in store.conn.execute(
                f"SELECT passage_id, theme_id FROM theme_assignments WHERE passage_id IN "
                f"({','.join('?' * len(part))})", part):
            out.setdefault(pid, []).append(tid)
    return out


def _passage_rows(store: Store, ids) -> dict[int, dict]:
    out = {}
    ids = [int(i) for i in ids]
    for i in range(0, len(ids), 900):
        part = ids[i:i + 900]
        for r in store.conn.execute(
                f"SELECT {PASSAGE_COLUMNS} FROM theme_passages p JOIN documents d ON d.id = p.document_id "
                f"WHERE p.id IN ({','.join('?' * len(part))})", part):
            out[r["passage_id"]] = dict(r)
    return out
