"""Store statistics for `kg stats` and `/health`: from the manifest, or recounted."""

from __future__ import annotations

from pathlib import Path

from kg.store.layout import StoreRoot


def store_stats(root: Path, recount: bool = False) -> dict:
    sr = StoreRoot(root)
    manifest = sr.manifest()
    counts = manifest["counts"]
    if recount:
        from kg.store.oxigraph_store import OxigraphStore
        counts = OxigraphStore.open(root).counts()
    return {"build_id": manifest["build_id"], "built_at": manifest["built_at"],
            "sources": manifest["sources"], "counts": counts, "problems": manifest.get("problems", {})}
