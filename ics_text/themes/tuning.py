"""Tuning the embedding model to the theme labels, shipped as a small patch of its top layers.

Why: a frozen general-purpose sentence model places "the ICB listens politely and then does what NHS
England tells it" near any passage about the NHS; the themes need it near local autonomy. Training
the model's top transformer layers on the labelled passages (a multi-label head, binary
cross-entropy) bends its space towards the distinctions the themes draw. The assigner (prototypes,
thresholds, the head) then works on the tuned vectors exactly as on the plain ones.

What is shipped: only the tuned layers, as float16 safetensors (a few MB) in
``models/theme_encoder/`` with a ``meta.json`` saying what they were trained on. The base model
comes from its PyPI package as before; ``apply_patch`` overwrites its top layers at load time. The
patch is a derived file like the thresholds in ``themes.yaml``: ``ics-text themes tune`` rebuilds it
after the labels change (minutes on a CPU); editing the taxonomy needs no re-tuning.

Search and discovery keep the plain model: tuning for themes pulls passages of one theme together,
which is what assignment wants and what a search for a particular phrase does not.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ..paths import models_dir

PATCH_ENV = "ICS_TEXT_THEME_PATCH"  # a patch folder, or "none" for the plain model
WEIGHTS = "tuned-layers.safetensors"
META = "meta.json"

# Settings chosen on one cross-validation fold of the dev labels: tuning the top 2 of the 6 layers
# scores within 0.01 of tuning all of them and makes a patch ten times smaller.
TOP_LAYERS = 2
EPOCHS = 4
LEARNING_RATE = 1e-4
HEAD_LEARNING_RATE = 2e-3
BATCH = 16
MAX_TOKENS = 160
SEED = 0


def default_patch(model_path: str | None = None) -> Path | None:
    """$ICS_TEXT_THEME_PATCH ("none": no patch), else models/theme_encoder when it holds a patch
    tuned from ``model_path`` (default: the configured model). The shipped patch fits only the model
    it was tuned from: with another model ($ICS_TEXT_EMBED_MODEL) the plain model is used instead."""
    env = os.environ.get(PATCH_ENV)
    if env:
        return None if env.lower() == "none" else Path(env)
    folder = models_dir() / "theme_encoder"
    if not (folder / WEIGHTS).exists():
        return None
    from .embeddings import default_model_path, model_key

    try:
        base = json.loads((folder / META).read_text(encoding="utf-8")).get("base")
    except (OSError, ValueError, AttributeError):
        base = None  # unreadable meta data: apply_patch reports it
    if base and base != model_key(model_path or default_model_path()):
        return None
    return folder


def patch_key(folder: str | Path) -> str:
    """A short hash of the patch's weights: part of the cache key of every vector made with it."""
    h = hashlib.sha256((Path(folder) / WEIGHTS).read_bytes()).hexdigest()
    return h[:12]


def _encoder_layers(model):
    """The transformer layers of a sentence-transformers BERT-style model, bottom to top."""
    return model[0].auto_model.encoder.layer


def apply_patch(model, folder: str | Path):
    """Overwrite ``model``'s top layers with the patch in ``folder`` (in place; returns the model)."""
    import torch
    from safetensors.torch import load_file

    folder = Path(folder)
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        tensors = load_file(str(folder / WEIGHTS))
    except (OSError, ValueError) as e:
        raise RuntimeError(f"{folder}: not a theme-encoder patch ({e})") from None
    layers = _encoder_layers(model)
    top = int(meta.get("top_layers", 0))
    state = {}
    for name, value in tensors.items():
        i, rest = name.split(".", 1)
        if not 0 <= int(i) < top <= len(layers):
            raise RuntimeError(f"{folder}: holds tuned layer {i} but covers the top {top} of a "
                               f"{len(layers)}-layer model (tuned for another model?)")
        try:
            param = layers[len(layers) - top + int(i)].get_parameter(rest)
        except AttributeError:
            raise RuntimeError(f"{folder}: the model has no {rest} (tuned for another model?)") from None
        if param.shape != value.shape:
            raise RuntimeError(f"{folder}: {rest} has shape {tuple(value.shape)}, the model's "
                               f"{tuple(param.shape)} (tuned for another model?)")
        state[param] = value
    with torch.no_grad():  # only once every tensor fits: a bad patch leaves the model untouched
        for param, value in state.items():
            param.copy_(value.to(param.dtype))
    return model


def tune(texts: Sequence[str], labels: Sequence[Sequence[str]], theme_ids: Sequence[str],
         base: str | None = None, top_layers: int = TOP_LAYERS, epochs: int = EPOCHS,
         seed: int = SEED, progress: Callable[[int, int], None] | None = None) -> dict:
    """Train the top ``top_layers`` layers of the base model on labelled passages.

    Returns the tuned layers' tensors (names relative to the first tuned layer, float16) and the
    training settings; ``save_patch`` writes them. ``progress(batches_done, batches_total)``.
    """
    from .embeddings import default_model_path, model_key, offline_quietly

    offline_quietly()  # before transformers is imported: it reads the settings once
    import torch
    from sentence_transformers import SentenceTransformer

    from .assign import label_matrix

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    base = base or default_model_path()
    model = SentenceTransformer(base, device="cpu")
    model.max_seq_length = MAX_TOKENS
    layers = _encoder_layers(model)
    for p in model.parameters():
        p.requires_grad = False
    tuned = layers[len(layers) - top_layers:]
    params = [p for layer in tuned for p in layer.parameters()]
    for p in params:
        p.requires_grad = True
    Y = label_matrix(labels, theme_ids, dtype=np.float32)
    dim = model.get_embedding_dimension()
    head = torch.nn.Linear(dim, len(theme_ids))
    opt = torch.optim.AdamW([{"params": params, "lr": LEARNING_RATE},
                             {"params": head.parameters(), "lr": HEAD_LEARNING_RATE}],
                            weight_decay=0.01)
    # rare themes weigh more, so the tuning does not settle for predicting the common ones
    pos = Y.sum(axis=0)
    weight = torch.tensor(np.clip((len(Y) - pos) / np.maximum(pos, 1), 1, 10), dtype=torch.float32)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=weight)
    texts = list(texts)
    steps = epochs * -(-len(texts) // BATCH)
    done, t0 = 0, time.perf_counter()
    model.train()
    for _ in range(epochs):
        order = rng.permutation(len(texts))
        for b in range(0, len(order), BATCH):
            idx = order[b:b + BATCH]
            features = model.preprocess([texts[i] for i in idx])
            emb = torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)
            # unit vectors have small logits: scale them so the head can reach confident outputs
            loss = loss_fn(head(emb * 10), torch.from_numpy(Y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            done += 1
            if progress:
                progress(done, steps)
    model.eval()
    tensors = {f"{i}.{name}": p.detach().to(torch.float16).contiguous()
               for i, layer in enumerate(tuned) for name, p in layer.named_parameters()}
    return {"tensors": tensors, "meta": {
        "base": model_key(base), "top_layers": top_layers, "epochs": epochs,
        "learning_rate": LEARNING_RATE, "batch": BATCH, "max_tokens": MAX_TOKENS, "seed": seed,
        "passages": len(texts), "themes": list(theme_ids),
        "seconds": round(time.perf_counter() - t0, 1)}}


def save_patch(result: dict, folder: str | Path, **meta) -> Path:
    """Write a ``tune`` result to ``folder`` (weights and meta.json), replacing files atomically."""
    from safetensors.torch import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (WEIGHTS + ".tmp")
    save_file(result["tensors"], str(tmp))
    tmp.replace(folder / WEIGHTS)
    info = {**result["meta"], **meta}
    tmp = folder / (META + ".tmp")
    tmp.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    tmp.replace(folder / META)
    return folder


def themed(encoder):
    """The encoder theme assignment uses beside ``encoder``: the same model and store with the
    default patch on top (``encoder`` itself when there is no patch)."""
    from .embeddings import Encoder

    patch = default_patch(encoder.model_path)
    if patch is None or encoder.patch:
        return encoder
    return Encoder(encoder.store, model=encoder.model_path, device=encoder.device,
                   batch_size=encoder.batch_size, patch=str(patch))


def tune_folder(labelled=None, folder: str | Path | None = None, taxonomy=None,
                progress: Callable[[int, int], None] | None = None) -> dict:
    """Tune on the labelled passages (default: the gold and training-only folders) and write the
    patch to ``folder`` (default models/theme_encoder). Returns the patch's meta data."""
    from .calibrate import labelled_folders, labelled_fingerprint, load_labelled
    from .taxonomy import load_taxonomy

    ids = [t.id for t in load_taxonomy(taxonomy)]
    data = load_labelled(labelled_folders(labelled), known=set(ids))
    if len(data) == 0:
        raise ValueError("no labelled passages to tune on")
    result = tune(data.texts, data.labels, ids, progress=progress)
    out = save_patch(result, folder or models_dir() / "theme_encoder",
                     documents=len(set(data.groups)), labelled=labelled_fingerprint(labelled))
    return json.loads((out / META).read_text(encoding="utf-8"))
