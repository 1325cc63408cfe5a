"""Options shared by several commands, declared once."""

from __future__ import annotations

import os
from pathlib import Path

import typer

STORE_ENV = "IMPC_KG_STORE"
DEFAULT_STORE = Path("var/store")


def default_store() -> Path:
    return Path(os.environ.get(STORE_ENV, DEFAULT_STORE))


StoreOpt = typer.Option(None, "--store", help=f"store root (default ${STORE_ENV} or {DEFAULT_STORE})")
