"""Artefacts an app builds on first use and keeps (the search index, the mapping-validation snapshot).

Why one function: several routers build something expensive from the read-only store the
first time it is asked for; it must be built once per app even when two requests race.
"""

from __future__ import annotations

import threading
from typing import Callable, TypeVar

from fastapi import Request

T = TypeVar("T")
_LOCK = threading.Lock()


def once_per_app(request: Request, name: str, build: Callable[[], T]) -> T:
    """``request.app.state.<name>``, built with ``build()`` the first time (double-checked lock)."""
    state = request.app.state
    value = getattr(state, name, None)
    if value is None:
        with _LOCK:
            value = getattr(state, name, None)
            if value is None:
                value = build()
                setattr(state, name, value)
    return value
