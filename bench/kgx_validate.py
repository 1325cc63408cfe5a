"""Check a `kg export kgx` directory with the `kgx` package's own validator (issue 4).

Why a separate interpreter: kgx pins linkml, pydantic, pandas and friends, so it lives in
a throwaway venv, never in the project's environment (``bench/kgx_validate.sh`` makes
the venv, exports and runs this file with the venv's python).

Why the patches below, and nothing else: kgx and its Biolink Model Toolkit (bmt) fetch
``biolink-model.yaml``, ``predicate_mapping.yaml`` and the JSON-LD context from GitHub
when imported, which this machine cannot reach (only package registries). The same
files ship in the ``biolink-model`` package, so the toolkit is pointed at that package's
schema and prefix map; the predicate map (used to map non-Biolink predicates, never to
validate) is left empty. The validation itself is kgx's, unchanged: the same
``Validator`` and ``Transformer`` calls as ``kgx validate -i tsv nodes.tsv edges.tsv``.

Usage (the venv's python): ``python bench/kgx_validate.py DIR [--json OUT]``; prints the
kgx, bmt and Biolink Model versions, the errors counted by level and type (each node or
edge that kgx flags counts once per message), and the commonest messages of each; ``--json`` writes the same as JSON. Exit status 0 whatever is found
(it reports; the team reads the numbers in bench/RESULTS.md, "kgx validation").
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from importlib import metadata, resources
from pathlib import Path


_PREFIX = re.compile(r"with a CURIE prefix '([^']*)'")


def _offline_biolink() -> str:
    """Point bmt and kgx at the Biolink Model files of the installed biolink-model package."""
    import bmt.toolkit as bt

    schema = str(resources.files("biolink_model") / "schema" / "biolink_model.yaml")
    prefixes = json.loads((resources.files("biolink_model") / "prefixmaps" / "biolink-model-prefix-map.json")
                          .read_text())
    # positional defaults of Toolkit.__init__: (schema, predicate_map)
    bt.Toolkit.__init__.__defaults__ = (schema, {"predicate mappings": []})
    import kgx.config  # after the patch: kgx.utils.kgx_utils builds a Toolkit() on import
    kgx.config.get_config()
    kgx.config.jsonld_context_map["biolink"] = prefixes
    return schema


class _Tally:
    """Every error kgx logs, counted. Why: kgx's ``ErrorDetecting.log_error`` keeps, per
    message, a list that it resets on each call (``[entity]`` then appends it again), so its
    own report tells distinct messages, not how many nodes or edges have each problem."""

    def __init__(self):
        self.count: Counter = Counter()  # (level, type, message) -> calls
        self.entities: dict[tuple, list[str]] = {}  # the first few entities of each

    def install(self) -> None:
        from kgx.error_detection import ErrorDetecting
        original = ErrorDetecting.log_error
        tally = self

        def log_error(self, entity, error_type, message, message_level=None, **kw):
            from kgx.error_detection import MessageLevel
            level = message_level or MessageLevel.ERROR
            key = (level.name, error_type.name, message)
            tally.count[key] += 1
            seen = tally.entities.setdefault(key, [])
            if len(seen) < 2:
                seen.append(str(entity).strip())
            return original(self, entity, error_type, message, level, **kw)

        ErrorDetecting.log_error = log_error


def validate(directory: Path) -> dict:
    schema = _offline_biolink()
    from kgx.transformer import Transformer
    from kgx.validator import Validator

    tally = _Tally()
    tally.install()

    Validator.set_biolink_model(None)
    validator = Validator()
    t0 = time.perf_counter()
    files = [str(directory / "nodes.tsv"), str(directory / "edges.tsv")]
    Transformer(stream=True).transform(
        input_args={"filename": files, "format": "tsv", "compression": None},
        output_args={"format": "null"},
        inspector=validator,
    )
    seconds = time.perf_counter() - t0
    counts: dict[str, dict[str, int]] = {}
    messages: dict[str, Counter] = {}
    for (level, etype, message), n in tally.count.items():
        counts.setdefault(level, {})
        counts[level][etype] = counts[level].get(etype, 0) + n
        messages.setdefault(f"{level}/{etype}", Counter())[message] = n
    examples = {key: [f"{m} (x{n}; e.g. {', '.join(tally.entities[(*key.split('/'), m)])})"
                      for m, n in by_msg.most_common(5)] for key, by_msg in messages.items()}
    # the "prefix not in the Biolink JSON-LD context" messages name one id each: by prefix
    prefixes: dict[str, Counter] = {}
    for key, by_msg in messages.items():
        for m, n in by_msg.items():
            found = _PREFIX.search(m)
            if found:
                prefixes.setdefault(key, Counter())[found.group(1)] += n
    lines = {name: sum(1 for _ in open(directory / name)) - 1 for name in ("nodes.tsv", "edges.tsv")}
    return {
        "directory": str(directory),
        "rows": lines,
        "kgx": metadata.version("kgx"),
        "bmt": metadata.version("bmt"),
        "biolink_model": validator.get_validation_model_version(),
        "biolink_model_package": metadata.version("biolink-model"),
        "schema": schema,
        "seconds": round(seconds, 1),
        "counts": counts,
        "distinct_messages": {k: len(v) for k, v in messages.items()},
        "examples": examples,
        "unknown_prefixes": {k: dict(v.most_common()) for k, v in prefixes.items()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("directory", type=Path, help="a `kg export kgx` output directory")
    ap.add_argument("--json", type=Path, help="write the result as JSON here")
    args = ap.parse_args(argv)
    res = validate(args.directory)
    if args.json:
        args.json.write_text(json.dumps(res, indent=1) + "\n")
    print(f"kgx {res['kgx']}, bmt {res['bmt']}, Biolink Model {res['biolink_model']} "
          f"(package biolink-model {res['biolink_model_package']}); {res['rows']['nodes.tsv']} nodes, "
          f"{res['rows']['edges.tsv']} edges; {res['seconds']} s")
    total = sum(n for by in res["counts"].values() for n in by.values())
    print(f"{total} findings")
    for level, by in sorted(res["counts"].items()):
        for etype, n in sorted(by.items(), key=lambda kv: -kv[1]):
            key = f"{level}/{etype}"
            print(f"  {level:8} {etype:40} {n:>9,}  ({res['distinct_messages'][key]} distinct messages)")
            if key in res["unknown_prefixes"]:
                print("      by prefix: " + ", ".join(f"{p} {c:,}" for p, c in res["unknown_prefixes"][key].items()))
            for ex in res["examples"][key]:
                print(f"      {ex[:220]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
