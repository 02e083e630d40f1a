"""The theme-tuned patch: training the top layers, saving them small, loading them over the model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ics_text.themes.embeddings import Encoder
from ics_text.themes.tuning import (META, PATCH_ENV, WEIGHTS, apply_patch, default_patch, patch_key,
                                    save_patch, themed, tune)
from themes_fixtures import encoder_model  # noqa: F401

TEXTS = ["Care homes cannot recruit enough staff to fill their rotas.",
         "Vacancies among social workers have doubled in two years.",
         "Agency nurses now cover a third of shifts on some wards.",
         "The council's grant was confirmed three weeks before the financial year.",
         "A one-year settlement leaves no room to plan beyond April.",
         "Reserves are being drawn down to balance this year's budget."]
LABELS = [["workforce"], ["workforce"], ["workforce"],
          ["funding_uncertainty"], ["funding_uncertainty"], ["funding_uncertainty"]]
IDS = ["workforce", "funding_uncertainty"]


@pytest.fixture(scope="module")
def patch(tmp_path_factory, encoder_model):
    result = tune(TEXTS, LABELS, IDS, epochs=1)
    return save_patch(result, tmp_path_factory.mktemp("patch"), note="test")


def test_tuning_writes_a_small_patch_of_the_top_layers(patch):
    meta = json.loads((patch / META).read_text())
    assert meta["top_layers"] == 2 and meta["passages"] == 6 and meta["note"] == "test"
    assert meta["themes"] == IDS
    # two of six layers in float16: a few MB, not the 90 MB model
    assert 1_000_000 < (patch / WEIGHTS).stat().st_size < 10_000_000
    assert not list(patch.glob("*.tmp"))  # written atomically
    assert patch_key(patch) == patch_key(patch) and len(patch_key(patch)) == 12


def test_a_patched_encoder_gives_other_vectors_under_its_own_name(patch, tmp_path):
    plain, tuned = Encoder(), Encoder(patch=str(patch))
    assert tuned.model_name.startswith(plain.model_name + "+themes-")
    a, b = plain.encode(TEXTS), tuned.encode(TEXTS)
    assert a.shape == b.shape
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-4)
    assert not np.allclose(a, b, atol=1e-3)
    # the patch moves a text's vector, and the tuned layers really are the patch's
    import torch
    from safetensors.torch import load_file

    layer = tuned.model[0].auto_model.encoder.layer[-1]
    saved = load_file(str(patch / WEIGHTS))["1.output.dense.weight"]
    assert torch.allclose(layer.output.dense.weight, saved.float())


def test_a_broken_or_foreign_patch_is_one_clear_error(patch, tmp_path, encoder_model):
    from ics_text.themes.embeddings import load_model

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(RuntimeError, match="not a theme-encoder patch"):
        apply_patch(load_model(), empty)
    # a patch says how many layers it covers; one claiming more than it holds does not load silently
    other = tmp_path / "other"
    other.mkdir()
    (other / WEIGHTS).write_bytes((patch / WEIGHTS).read_bytes())
    (other / META).write_text(json.dumps({"top_layers": 1}))
    with pytest.raises(RuntimeError, match="shape|layer"):
        from sentence_transformers import SentenceTransformer

        from ics_text.themes.embeddings import default_model_path

        apply_patch(SentenceTransformer(default_model_path(), device="cpu"), other)


def test_default_patch_follows_the_environment(monkeypatch, patch):
    monkeypatch.setenv(PATCH_ENV, "none")
    assert default_patch() is None
    plain = Encoder()
    assert themed(plain) is plain
    monkeypatch.setenv(PATCH_ENV, str(patch))
    assert default_patch() == patch
    scorer = themed(plain)
    assert scorer is not plain and scorer.patch == str(patch)
    assert themed(scorer) is scorer  # already patched: kept


def test_the_shipped_patch_is_only_applied_to_the_model_it_was_tuned_from(monkeypatch, patch, tmp_path):
    """Another embedding model ($ICS_TEXT_EMBED_MODEL) gets the plain model for themes, not a load
    error from a patch that cannot fit it."""
    import shutil

    monkeypatch.delenv(PATCH_ENV, raising=False)
    shipped = tmp_path / "models" / "theme_encoder"
    shutil.copytree(patch, shipped)
    monkeypatch.setenv("ICS_TEXT_MODELS", str(tmp_path / "models"))
    plain = Encoder()
    assert default_patch(plain.model_path) == shipped  # tuned from this very model
    assert themed(plain).patch == str(shipped)
    meta = json.loads((shipped / META).read_text())
    (shipped / META).write_text(json.dumps({**meta, "base": "someone/other-model"}))
    assert default_patch(plain.model_path) is None
    assert themed(plain) is plain


def test_loading_the_model_prints_no_progress_bars_even_after_transformers_was_imported():
    """The CLI draws its own progress; transformers' weight-loading bar must not leak onto stderr,
    whichever module imported transformers first."""
    import subprocess
    import sys

    code = ("import sentence_transformers\n"
            "from ics_text.themes.embeddings import load_model\n"
            "load_model()\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Loading weights" not in run.stderr and "it/s" not in run.stderr
