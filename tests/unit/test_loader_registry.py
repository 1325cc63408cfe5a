"""loaders.LOADERS / FORMATS agree with ontologies/sources.toml and with each module."""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path

import loaders

SOURCES = Path(__file__).resolve().parents[2] / "ontologies" / "sources.toml"


def test_every_source_has_a_loader_with_its_format():
    sources = tomllib.loads(SOURCES.read_text())["source"]
    for s in sources:
        module = loaders.LOADERS[s["loader"]]
        assert module.FORMAT == s["format"], s["name"]
        assert loaders.FORMATS[s["format"]] is module


def test_every_loader_has_the_interface():
    for name, module in loaders.LOADERS.items():
        sig = inspect.signature(module.load)
        assert list(sig.parameters) == ["path", "report"], name
        assert isinstance(module.FORMAT, str)
        # the official column (tag, key) names, in one public tuple constant
        tuples = [v for k, v in vars(module).items() if not k.startswith("_")
                  and (k.endswith("COLUMNS") or k.endswith("TAGS") or k == "FIELDS")]
        assert tuples and all(isinstance(t, tuple) for t in tuples), name
