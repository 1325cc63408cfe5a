"""The source catalogue (ontologies/sources.toml) and where each source's file is found.

Why: one place names every input with its official URL and format, so a build is
reproducible from the catalogue plus either the internet or a local mirror folder.

Resolution order for a source: the mirror folder (``--data-dir`` or ``IMPC_KG_DATA_DIR``),
then the download cache, then (if allowed) a download from the official URL into
the cache (see :mod:`kg.fetch`).

>>> cat = load_catalogue()
>>> cat["mp"].loader, cat["mp"].required
('obo', True)
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_PATH = PROJECT_ROOT / "ontologies" / "sources.toml"
DATA_DIR_ENV = "IMPC_KG_DATA_DIR"


@dataclass(frozen=True)
class Source:
    name: str
    loader: str
    format: str
    url: str
    mirror: tuple[str, ...]
    required: bool
    mapping_set: str | None = None

    @property
    def cache_name(self) -> str:
        """File name in the download cache: the URL's last path segment."""
        return self.url.rstrip("/").rsplit("/", 1)[-1] if self.url else self.name


class SourceMissing(Exception):
    """A required source is in neither the mirror, the cache, nor downloadable."""


def load_catalogue(path: Path = CATALOGUE_PATH) -> dict[str, Source]:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    out: dict[str, Source] = {}
    for entry in raw["source"]:
        src = Source(
            name=entry["name"], loader=entry["loader"], format=entry["format"],
            url=entry.get("url", ""), mirror=tuple(entry.get("mirror", ())),
            required=bool(entry.get("required", False)), mapping_set=entry.get("mapping_set"),
        )
        if src.name in out:
            raise ValueError(f"{path}: source {src.name!r} declared twice")
        out[src.name] = src
    return out


def default_data_dir() -> Path | None:
    env = os.environ.get(DATA_DIR_ENV)
    return Path(env) if env else None


def find_local(source: Source, data_dir: Path | None, cache_dir: Path | None) -> Path | None:
    """The first existing file for a source in the mirror folder, then in the cache."""
    if data_dir is not None:
        for rel in source.mirror:
            p = data_dir / rel
            if p.exists():
                return p
    if cache_dir is not None and source.url:
        p = cache_dir / source.cache_name
        if p.exists():
            return p
    return None
