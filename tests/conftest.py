"""Shared fixtures: the mini mirror build, the real-data build, paths.

The real-data build (../shared/data, or $IMPC_KG_DATA_DIR) is made once per test
session and shared by every integration test; tests that need it are skipped with a
clear reason when the folder is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["tests.neo4j_fixture"]

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
MINI_MIRROR = FIXTURES / "mirror"


def shared_data_dir() -> Path | None:
    env = os.environ.get("IMPC_KG_DATA_DIR")
    p = Path(env) if env else REPO.parent / "shared" / "data"
    return p if (p / "PROVENANCE.md").exists() or (p / "mp").is_dir() else None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    p = shared_data_dir()
    if p is None:
        pytest.skip("../shared/data not present")
    return p


@pytest.fixture(scope="session")
def mini_store(tmp_path_factory) -> Path:
    """A store root built from tests/fixtures/mirror (the whole pipeline, scoring included)."""
    from kg.build import build
    root = tmp_path_factory.mktemp("mini") / "store"
    build(root, data_dir=MINI_MIRROR, allow_download=False, log=lambda m: None)
    return root


@pytest.fixture(scope="session")
def real_store(tmp_path_factory, data_dir) -> Path:
    """A store root built from the real ../shared/data (once per session)."""
    from kg.build import build
    root = tmp_path_factory.mktemp("real") / "store"
    build(root, data_dir=data_dir, allow_download=False, log=lambda m: None)
    return root
