"""The `kg` command line: thin commands over library functions (see :mod:`kg.cli.app`)."""
from kg.cli.app import app

__all__ = ["app"]
