"""The seeded theme taxonomy: a human-editable YAML file of themes (id -> name, description, examples).

The file is the single place an analyst changes what a theme means. Keys are stable ids (annotators
label passages with them); ``name``, ``description`` and ``examples`` may be edited freely, and
``threshold`` is written by ``ics-text themes calibrate`` (an optional number per theme).

``load_taxonomy`` validates the file and names the file and the theme in every error, so a typo in
an edit gives one clear line instead of a traceback.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from ..paths import models_dir
from ..records import Theme

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
ALLOWED_KEYS = {"name", "description", "examples", "threshold"}


class TaxonomyError(Exception):
    """The taxonomy file cannot be used (the message names the file and what is wrong)."""


def default_taxonomy_path() -> Path:
    return models_dir() / "themes.yaml"


_CACHE: dict[tuple[str, int, int], list[Theme]] = {}


def load_taxonomy(path: str | Path | None = None) -> list[Theme]:
    """Read and validate a taxonomy file; themes come back in file order.

    Parsed files are remembered by (path, modification time, size), so queries that consult the
    taxonomy many times do not re-parse it, and an edit is still seen at once.
    """
    path = Path(path) if path else default_taxonomy_path()
    try:
        st = path.stat()
        key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        key = None
    if key in _CACHE:
        return [Theme(**t.to_dict()) for t in _CACHE[key]]
    themes = _read(path)
    if key is not None:
        _CACHE[key] = themes
    return [Theme(**t.to_dict()) for t in themes]


def _read(path: Path) -> list[Theme]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except FileNotFoundError:
        raise TaxonomyError(f"{path}: taxonomy file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise TaxonomyError(f"{path}: cannot read ({e})") from None
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        at = f" at line {where.line + 1}" if where else ""
        raise TaxonomyError(f"{path}: not valid YAML{at}") from None
    return parse_taxonomy(data, str(path))


def parse_taxonomy(data, where: str = "taxonomy") -> list[Theme]:
    """Validate the YAML mapping (``data``) and build Theme records."""
    if not isinstance(data, dict) or not data:
        raise TaxonomyError(f"{where}: expected a mapping of theme id -> fields")
    themes = []
    for tid, spec in data.items():
        if not isinstance(tid, str) or not ID_RE.match(tid):
            raise TaxonomyError(f"{where}: theme id {tid!r} must be lower_snake_case")
        if not isinstance(spec, dict):
            raise TaxonomyError(f"{where}: theme {tid}: expected name, description and examples")
        unknown = set(spec) - ALLOWED_KEYS
        if unknown:
            raise TaxonomyError(f"{where}: theme {tid}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        name = spec.get("name")
        if not isinstance(name, str) or not name.strip():
            raise TaxonomyError(f"{where}: theme {tid}: 'name' is required")
        desc = spec.get("description") or ""
        if not isinstance(desc, str):
            raise TaxonomyError(f"{where}: theme {tid}: 'description' must be text")
        examples = spec.get("examples") or []
        if not isinstance(examples, list) or not all(isinstance(x, str) and x.strip() for x in examples):
            raise TaxonomyError(f"{where}: theme {tid}: 'examples' must be a list of phrases")
        thr = spec.get("threshold")
        if thr is not None:
            if isinstance(thr, bool) or not isinstance(thr, (int, float)) or not 0.0 <= float(thr) <= 1.0:
                raise TaxonomyError(f"{where}: theme {tid}: 'threshold' must be a number in [0, 1]")
            thr = float(thr)
        if not desc.strip() and not examples:
            raise TaxonomyError(f"{where}: theme {tid}: give a description or examples to match on")
        themes.append(Theme(id=tid, name=" ".join(name.split()), description=" ".join(desc.split()),
                            examples=[" ".join(x.split()) for x in examples], threshold=thr))
    return themes


def theme_texts(theme: Theme) -> list[str]:
    """The texts a theme is matched on: its name with its description, then each example phrase."""
    head = f"{theme.name}: {theme.description}" if theme.description else theme.name
    return [head, *theme.examples]


def fingerprint(themes: list[Theme]) -> str:
    """A hash of everything that changes assignment: an edit to the file changes it."""
    blob = json.dumps([t.to_dict() for t in themes], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def write_thresholds(path: str | Path, thresholds: dict[str, float]) -> None:
    """Set ``threshold:`` for each theme in the YAML file, in place, keeping comments and layout.

    A plain YAML dump would drop the comments analysts rely on, so the file is edited line by line:
    an existing ``  threshold:`` line inside the theme's block is replaced, otherwise one is added
    after the theme's ``name:`` line.
    """
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    key_re = re.compile(r"^([a-z][a-z0-9_]*):\s*(#.*)?$")
    # theme id -> [start, end) line range of its block
    starts = [(i, m.group(1)) for i, line in enumerate(lines) if (m := key_re.match(line))]
    blocks = {}
    for n, (i, tid) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        blocks[tid] = (i, end)
    edits = []  # (line index, replace?, new line), applied bottom-up
    for tid, value in thresholds.items():
        if tid not in blocks:
            raise TaxonomyError(f"{path}: no theme {tid!r} to write a threshold for")
        i, end = blocks[tid]
        new = f"  threshold: {value:.3f}\n"
        found = next((j for j in range(i + 1, end) if re.match(r"^\s+threshold:", lines[j])), None)
        if found is not None:
            edits.append((found, True, new))
        else:
            after = next((j for j in range(i + 1, end) if re.match(r"^\s+name:", lines[j])), i)
            edits.append((after + 1, False, new))
    for j, replace, new in sorted(edits, reverse=True):
        if replace:
            lines[j] = new
        else:
            lines.insert(j, new)
    text = "".join(lines)
    parse_taxonomy(__import__("yaml").safe_load(text), str(path))  # never write a broken file
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
