"""Scoring passages against the seeded themes: a scikit-learn style estimator.

How a passage is scored for a theme
-----------------------------------
Each theme is matched on its anchors: "name: description" and each example phrase from the taxonomy
file, encoded once (cached in the store like any text). A passage's raw score for a theme is the mean
of its ``top_k`` best cosine similarities to that theme's anchors (a soft maximum: one close example
is strong evidence, but two or three agreeing ones are stronger), minus ``contrast`` times its mean
raw score over all themes (a long generic passage is a little similar to everything; what matters
is how much closer it is to this theme than to the rest).

Passages are read in context: when the caller says which document each passage belongs to
(``groups``), the raw score is blended with the mean raw score of the passage's neighbours (the
passage before and after) and of its whole document (weights ``neighbours`` and ``context``). A
sentence such as "The Government must close this gap." is about SEND funding because the
paragraphs around it are; on the labelled set this lifts held-out macro F1 by about 0.03.

The score shown to users is ``sigmoid((raw - threshold) / temperature)`` in [0, 1]: 0.5 sits exactly
on the theme's threshold for every theme, so scores are comparable across passages and themes, and a
passage gets every theme whose score is >= 0.5 (zero, one or several).

Thresholds come from the taxonomy file (``threshold:``), or are calibrated with ``fit(X, Y)`` on
labelled passages: per theme, the cut that maximises F1 on the labels, shrunk towards the median of
the calibrated cuts when a theme has few positive examples (a cut learned from three passages is
mostly noise).

A learned head on top (when ``fit`` is given labelled passages)
-------------------------------------------------------------
The prototype score only knows the taxonomy's wording. Labelled passages say more about where a
theme's edges are, so ``fit(X, y)`` also trains, per theme, a logistic regression (balanced class
weights) on three kinds of evidence, each read in document context:
- the passage embedding (what the passage means);
- the passage's words, as TF-IDF over words and word pairs, when ``texts`` are given (what it names:
  "academies", "section 114", "Better Care Fund" are decisive and an embedding of a long paragraph
  blurs them); with the embeddings alone the head scores about 0.05 macro F1 lower;
- the prototype margin, one feature per theme.
Its training rows are the labelled passages AND the taxonomy's own anchors (description and each
example phrase, a positive for its theme and a negative for the others), so the analyst's definition
stays part of what is learned: editing an example moves both the prototypes and the head.
The margin used for the decision is ``HEAD_WEIGHT * head + (1 - HEAD_WEIGHT) * prototype`` (the head
clipped to +-HEAD_CLIP, so a threshold set in the file still counts). Re-fitting needs only cached
vectors (labelled passages and anchors are encoded once and cached) and a TF-IDF fit over a few
thousand short texts: a second or two. Themes with no labelled positive keep the prototype score
alone.

Context is linear (a weighted mean of rows), so at prediction time the head projects each passage
first and blends the projections (n x themes), never the n x vocabulary word matrix: the cost stays
that of the projection however large the corpus.

Inputs are embedding matrices (rows L2-normalised, as ``Encoder`` returns), so editing the taxonomy
and re-fitting re-scores a whole corpus in well under a second per 10,000 passages: only the few
anchor texts are encoded, never the passages.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..records import Theme, ThemeScore
from .taxonomy import load_taxonomy, theme_texts

DEFAULT_THRESHOLD = 0.15
TEMPERATURE = 0.05
# The learned head (see the module docstring). C and the blend weight were chosen by document-level
# cross-validation on the dev labels (C in 3..30, weight 0.7..1 all within 0.01 macro F1); 0.7 is kept
# because it lets a threshold written in the file still decide (0.7 * HEAD_CLIP < 0.3 * a far margin).
HEAD_C = 10.0
HEAD_WEIGHT = 0.7
HEAD_CLIP = 3.0
# the word features: words and word pairs seen in at least two training texts, English stop words out
TFIDF = dict(ngram_range=(1, 2), min_df=2, sublinear_tf=True, stop_words="english")
# the prototype margin (tens of units) is scaled to the size of an embedding coordinate's spread
PROTO_FEATURE_SCALE = 0.1


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class ThemeAssigner:
    """Assign zero, one or several themes to passage embeddings.

    Parameters (stored unchanged, as scikit-learn expects)
    ------------------------------------------------------
    themes : list of Theme, or None for the default taxonomy file
    taxonomy : path of a taxonomy file (used when ``themes`` is None)
    encoder : an ``Encoder`` (or anything with ``encode(list[str]) -> ndarray``) for the anchors;
        None makes an uncached one on first need
    top_k : how many of the best anchor similarities are averaged
    contrast : weight of the passage's mean score over all themes, subtracted from each raw score
    temperature : spread of the [0, 1] score around the threshold
    default_threshold : the cut for themes with none in the file and no labels to calibrate on
    min_positives : themes with fewer labelled positives than this get a shrunk threshold
    calibrate : whether ``fit`` with labels learns thresholds (False keeps the file's); labels
        always train the head
    context : weight of the document's mean raw score (used when ``groups`` are given)
    neighbours : weight of the mean raw score of the passage and the ones just before and after it

    Learned attributes
    ------------------
    themes_, theme_ids_, anchors_ (n_anchors x dim), anchor_theme_ (theme index of each anchor),
    thresholds_ (n_themes,), calibrated_ (bool per theme: learned from labels this fit),
    head_coef_ (n_themes x (dim + 1)), head_intercept_ (n_themes,), head_fitted_ (bool per theme:
    a head was trained; all False when ``fit`` had no labels)
    """

    def __init__(self, themes: Sequence[Theme] | None = None, taxonomy=None, encoder=None,
                 top_k: int = 3, contrast: float = 0.75, temperature: float = TEMPERATURE,
                 default_threshold: float = DEFAULT_THRESHOLD, min_positives: int = 5,
                 calibrate: bool = True, context: float = 0.25, neighbours: float = 0.25):
        self.themes = themes
        self.taxonomy = taxonomy
        self.encoder = encoder
        self.top_k = top_k
        self.contrast = contrast
        self.temperature = temperature
        self.default_threshold = default_threshold
        self.min_positives = min_positives
        self.calibrate = calibrate
        self.context = context
        self.neighbours = neighbours

    # -- scikit-learn API ---------------------------------------------------------------------------

    def get_params(self, deep: bool = True) -> dict:
        return {k: getattr(self, k) for k in ("themes", "taxonomy", "encoder", "top_k", "contrast",
                                              "temperature", "default_threshold", "min_positives",
                                              "calibrate", "context", "neighbours")}

    def set_params(self, **params):
        for k, v in params.items():
            if k not in self.get_params():
                raise ValueError(f"unknown parameter {k!r}")
            setattr(self, k, v)
        return self

    def fit(self, X=None, y=None, groups=None, texts=None):
        """Encode the theme anchors; with labels ``y``, calibrate per-theme thresholds (if
        ``calibrate``) and train the per-theme head on ``X`` plus the anchors.

        ``X``: passage embeddings (n x dim), only needed with ``y``. ``y``: an (n x n_themes) 0/1
        matrix in ``theme_ids_`` order, or a list of theme-id lists (one per passage). ``groups``:
        the document of each passage (rows of one document in reading order), for context.
        ``texts``: the passages themselves; given, the head also reads their words, and every later
        call that scores passages must pass their texts too.
        """
        themes = list(self.themes) if self.themes is not None else load_taxonomy(self.taxonomy)
        self.themes_ = themes
        self.theme_ids_ = [t.id for t in themes]
        anchor_texts, owner = [], []
        for i, t in enumerate(themes):
            for s in theme_texts(t):
                anchor_texts.append(s)
                owner.append(i)
        enc = self.encoder
        if enc is None:
            from .embeddings import Encoder

            enc = Encoder()
        self.anchors_ = np.asarray(enc.encode(anchor_texts), dtype=np.float32)
        self.anchor_texts_ = anchor_texts
        self.anchor_theme_ = np.asarray(owner)
        self.thresholds_ = np.array([t.threshold if t.threshold is not None else self.default_threshold
                                     for t in themes], dtype=np.float64)
        self.calibrated_ = np.zeros(len(themes), dtype=bool)
        dim = self.anchors_.shape[1]
        self.head_coef_ = np.zeros((len(themes), dim + 1), dtype=np.float64)
        self.head_intercept_ = np.zeros(len(themes), dtype=np.float64)
        self.head_fitted_ = np.zeros(len(themes), dtype=bool)
        self.vectorizer_ = None
        self.word_coef_ = None
        if y is not None:
            X = np.asarray(X, dtype=np.float32)
            Y = self._indicator(y)
            if self.calibrate:
                self._calibrate(X, Y, groups)
            if len(X):
                self._fit_head(X, Y, groups, None if texts is None else list(texts))
        return self

    def _proto_margin(self, X, groups=None) -> np.ndarray:
        """Prototype margin: (raw - threshold) / temperature, 0 on the cut."""
        return (self.decision_function(X, groups) - self.thresholds_) / self.temperature

    def _contextual(self, X, groups=None):
        """``X`` (dense or sparse rows) blended with document and neighbours, when groups are known."""
        if not hasattr(X, "tocsr"):
            X = np.asarray(X, dtype=np.float64)
        if groups is not None and (self.context or self.neighbours) and X.shape[0]:
            return in_context(X, groups, self.context, self.neighbours)
        return X

    def _fit_head(self, X: np.ndarray, Y: np.ndarray, groups=None, texts=None) -> None:
        """Per-theme logistic regression on labelled passages + the taxonomy's anchors."""
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        pz = self._proto_margin(X, groups)
        pa = self._proto_margin(self.anchors_)  # anchors stand alone: no document around them
        blocks = [sparse.csr_matrix(np.vstack([self._contextual(X, groups),
                                               self.anchors_.astype(np.float64)]))]
        if texts is not None:
            self.vectorizer_ = TfidfVectorizer(**TFIDF).fit(texts + self.anchor_texts_)
            blocks.append(sparse.vstack([self._contextual(self.vectorizer_.transform(texts), groups),
                                         self.vectorizer_.transform(self.anchor_texts_)]))
        F = sparse.hstack(blocks).tocsr()
        P = np.vstack([pz, pa]) * PROTO_FEATURE_SCALE
        dim = self.anchors_.shape[1]
        n_words = F.shape[1] - dim
        self.word_coef_ = np.zeros((len(self.theme_ids_), n_words)) if texts is not None else None
        for j in range(len(self.theme_ids_)):
            if not Y[:, j].any():
                continue  # no labelled example of this theme: keep the prototype score alone
            yj = np.r_[Y[:, j], (self.anchor_theme_ == j).astype(int)]
            if yj.all():
                continue
            # liblinear: the same held-out F1 as lbfgs here, about three times faster to re-fit
            lr = LogisticRegression(C=HEAD_C, class_weight="balanced", solver="liblinear", max_iter=1000)
            lr.fit(sparse.hstack([F, sparse.csr_matrix(P[:, [j]])]).tocsr(), yj)
            coef = lr.coef_[0]
            self.head_coef_[j] = np.r_[coef[:dim], coef[-1]]
            if self.word_coef_ is not None:
                self.word_coef_[j] = coef[dim:-1]
            self.head_intercept_[j] = lr.intercept_[0]
            self.head_fitted_[j] = True

    def margin(self, X, groups=None, texts=None) -> np.ndarray:
        """Signed distance from each theme's cut (n x n_themes): >= 0 means assigned."""
        self._check_fitted()
        pz = self._proto_margin(X, groups)
        if not self.head_fitted_.any() or len(pz) == 0:
            return pz
        dim = self.anchors_.shape[1]
        hz = np.asarray(X, dtype=np.float64) @ self.head_coef_[:, :dim].T
        if self.vectorizer_ is not None:
            if texts is None:
                raise ValueError("this assigner's head reads the passages' words: pass texts=")
            hz += np.asarray(self.vectorizer_.transform(list(texts)) @ self.word_coef_.T)
        # context is linear: blending the projections equals projecting the blended rows
        hz = self._contextual(hz, groups)
        hz += pz * PROTO_FEATURE_SCALE * self.head_coef_[:, dim] + self.head_intercept_
        hz = np.clip(hz, -HEAD_CLIP, HEAD_CLIP)
        return np.where(self.head_fitted_, HEAD_WEIGHT * hz + (1 - HEAD_WEIGHT) * pz, pz)

    def decision_function(self, X, groups=None) -> np.ndarray:
        """Raw prototype scores (n x n_themes): soft-max cosine to the anchors, minus contrast, in
        context (the learned head is not included: see ``margin``)."""
        self._check_fitted()
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2:
            raise ValueError("X must be a 2-d matrix of passage embeddings")
        n_t = len(self.theme_ids_)
        raw = np.empty((X.shape[0], n_t), dtype=np.float64)
        if X.shape[0] == 0:
            return raw
        sims = X @ self.anchors_.T  # n x n_anchors
        for j in range(n_t):
            s = sims[:, self.anchor_theme_ == j]
            k = max(1, min(self.top_k, s.shape[1]))
            top = -np.partition(-s, k - 1, axis=1)[:, :k] if s.shape[1] > k else s
            raw[:, j] = top.mean(axis=1)
        if self.contrast:
            raw -= self.contrast * raw.mean(axis=1, keepdims=True)
        if groups is not None and (self.context or self.neighbours):
            raw = in_context(raw, groups, self.context, self.neighbours)
        return raw

    def transform(self, X, groups=None, texts=None) -> np.ndarray:
        """Scores in [0, 1] (n x n_themes); >= 0.5 means the theme is assigned."""
        return _sigmoid(self.margin(X, groups, texts))

    def fit_transform(self, X, y=None, groups=None, texts=None):
        return self.fit(X, y, groups, texts).transform(X, groups, texts)

    def predict(self, X, groups=None, texts=None) -> np.ndarray:
        """0/1 indicator matrix (n x n_themes) of assigned themes."""
        return (self.margin(X, groups, texts) >= 0).astype(int)

    def assign(self, X, groups=None, texts=None) -> list[list[ThemeScore]]:
        """For each passage, its assigned themes as contract records, highest score first."""
        z = self.margin(X, groups, texts)
        scores = _sigmoid(z)
        raw_ok = z >= 0
        out = []
        for row, ok in zip(scores, raw_ok):
            picked = [ThemeScore(self.theme_ids_[j], self.themes_[j].name, round(float(row[j]), 4))
                      for j in np.flatnonzero(ok)]
            picked.sort(key=lambda t: -t.score)
            out.append(picked)
        return out

    # -- calibration --------------------------------------------------------------------------------

    def _indicator(self, y) -> np.ndarray:
        if isinstance(y, np.ndarray) and y.ndim == 2:
            return (y > 0).astype(int)
        return label_matrix(y, self.theme_ids_)

    def _calibrate(self, X: np.ndarray, Y: np.ndarray, groups=None) -> None:
        raw = self.decision_function(X, groups)
        best = np.full(len(self.theme_ids_), np.nan)
        npos = Y.sum(axis=0)
        for j in range(len(self.theme_ids_)):
            if npos[j] == 0:
                continue
            best[j] = best_f1_threshold(raw[:, j], Y[:, j])
        learned = ~np.isnan(best)
        if not learned.any():
            return
        centre = float(np.median(best[learned]))
        for j in np.flatnonzero(learned):
            # shrink towards the typical cut in proportion to how little evidence the theme has
            w = min(1.0, npos[j] / float(self.min_positives)) if self.min_positives else 1.0
            self.thresholds_[j] = w * best[j] + (1 - w) * centre
            self.calibrated_[j] = True
        # themes without labels take the typical calibrated cut rather than a guess
        for j in np.flatnonzero(~learned):
            if self.themes_[j].threshold is None:
                self.thresholds_[j] = centre

    def thresholds(self) -> dict[str, float]:
        """Theme id -> threshold, as written to the taxonomy file by ``themes calibrate``."""
        self._check_fitted()
        return {t: round(float(v), 3) for t, v in zip(self.theme_ids_, self.thresholds_)}

    def _check_fitted(self) -> None:
        if not hasattr(self, "anchors_"):
            raise RuntimeError("ThemeAssigner is not fitted: call fit() first")


def label_matrix(labels, theme_ids, dtype=int) -> np.ndarray:
    """Theme-id lists (one per passage) -> an n x themes 0/1 matrix; ids not in ``theme_ids`` are
    ignored."""
    index = {t: j for j, t in enumerate(theme_ids)}
    Y = np.zeros((len(labels), len(theme_ids)), dtype=dtype)
    for i, ls in enumerate(labels):
        for t in ls:
            if t in index:
                Y[i, index[t]] = 1
    return Y


def in_context(M, groups, context: float, neighbours: float):
    """Blend each row of ``M`` (dense or scipy sparse) with its document's mean row and the mean of
    itself and its neighbours (the rows just before and after it in the same group, in row order):
    ``(row + context * doc + neighbours * near) / (1 + context + neighbours)``."""
    from scipy import sparse

    groups = np.asarray(groups)
    n = len(groups)
    _, g = np.unique(groups, return_inverse=True)
    member = sparse.csr_matrix((np.ones(n), (np.arange(n), g)))  # n x documents
    doc = member @ (sparse.diags(1.0 / np.bincount(g)) @ (member.T @ M))
    # each row's neighbours within its group, in row order
    order = np.argsort(g, kind="stable")
    same = g[order][1:] == g[order][:-1]
    a, b = order[:-1][same], order[1:][same]
    rows = np.r_[np.arange(n), a, b]
    cols = np.r_[np.arange(n), b, a]
    near = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    near = sparse.diags(1.0 / np.asarray(near.sum(axis=1)).ravel()) @ near
    out = (M + context * doc + neighbours * (near @ M)) / (1 + context + neighbours)
    return out.tocsr() if sparse.issparse(out) else np.asarray(out)


def best_f1_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """The cut on ``scores`` that maximises F1 for ``labels``; the midpoint between neighbours wins ties."""
    order = np.argsort(-scores)
    s, y = scores[order], labels[order]
    tp = np.cumsum(y)
    k = np.arange(1, len(s) + 1)
    f1 = 2 * tp / (k + y.sum())
    # only cut between distinct scores
    valid = np.r_[s[:-1] > s[1:], True]
    f1 = np.where(valid, f1, -1)
    i = int(np.argmax(f1))
    if i + 1 < len(s):
        return float((s[i] + s[i + 1]) / 2)
    return float(s[i] - 1e-6)
