"""Where the project's data files live (``models/``), overridable for a custom install."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def models_dir() -> Path:
    """``models/`` (taxonomy, aliases, site profiles): $ICS_TEXT_MODELS or the repository's."""
    return Path(os.environ.get("ICS_TEXT_MODELS") or ROOT / "models")
