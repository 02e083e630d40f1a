"""Site profiles: one YAML file per publisher site in ``models/sites/``.

A profile is data, so that a site redesign means editing a file, not code:
``publisher``, ``hosts`` (every host the site is served from, mirrors included), ``layout``
(selectors the HTML parser uses to find the main text and metadata) and ``crawl`` (where the
crawler starts, which links it follows, how listings page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from ..paths import models_dir


@dataclass
class Profile:
    name: str
    publisher: str
    hosts: list[str]
    layout: dict = field(default_factory=dict)
    crawl: dict = field(default_factory=dict)

    def owns(self, url: str) -> bool:
        return _bare_host(url) in {_bare_host("//" + h) for h in self.hosts}


@lru_cache(maxsize=4)
def _load(directory: str) -> dict[str, Profile]:
    import yaml

    profiles = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        profiles[path.stem] = Profile(name=path.stem, publisher=data["publisher"],
                                      hosts=list(data.get("hosts", [])),
                                      layout=data.get("layout") or {}, crawl=data.get("crawl") or {})
    return profiles


def load_profiles(directory: str | Path | None = None) -> dict[str, Profile]:
    """All site profiles by name (``nhsconfed``, ``lga``, ``ccn``)."""
    return _load(str(directory or models_dir() / "sites"))


def profile_for_url(url: str | None) -> Profile | None:
    if not url:
        return None
    for p in load_profiles().values():
        if p.owns(url):
            return p
    return None


def _bare_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host
