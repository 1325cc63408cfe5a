"""Downloading official release files into the cache, with a progress bar.

Why separate: loaders never talk HTTP; the build asks this module for a local path
and only then hands the path to a loader. Downloads go to a temporary name and are
renamed when complete, so an interrupted download never looks like a finished file.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn


class DownloadError(Exception):
    pass


def download(url: str, dest: Path, *, timeout: float = 60.0, show_progress: bool = True) -> Path:
    """Fetch ``url`` to ``dest`` atomically (``dest.part`` then rename)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=timeout) as resp:
            if resp.status_code != 200:
                raise DownloadError(f"{url}: HTTP {resp.status_code}")
            total = int(resp.headers.get("content-length") or 0) or None
            with open(part, "wb") as fh, Progress(
                "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                TransferSpeedColumn(), disable=not show_progress, transient=True,
            ) as progress:
                task = progress.add_task(f"download {dest.name}", total=total)
                for chunk in resp.iter_bytes(1 << 16):
                    fh.write(chunk)
                    progress.advance(task, len(chunk))
        os.replace(part, dest)
    except httpx.HTTPError as exc:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{url}: {exc}") from exc
    return dest
