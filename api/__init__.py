"""HTTP API: a thin FastAPI layer over `kg` (no source parsing here)."""
