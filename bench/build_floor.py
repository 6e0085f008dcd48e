"""Benchmark: where an index build spends its time, and Whoosh's own share of it.

Issue 12 asks for a build of 10,000 providers in at most 30 s. This measures, in one run on the same
synthetic providers (``search_bench.synthetic_provider``):

- **load**: reading and checking the Markdown files (``content.load_content``);
- **analysis**: our Swedish analysis of every field of every document, alone;
- **build**: ``builder.build`` as the site runs it (analysis and Whoosh's writer together);
- **Whoosh alone**: the same documents, analysed beforehand, written through the same schema with a
  tokenizer that only splits on spaces: the writer's cost with analysis taken away. No build of
  this schema in Whoosh can be faster than this.

    .venv/bin/python bench/build_floor.py [--providers 10000]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

from whoosh import fields, index
from whoosh.analysis import SpaceSeparatedTokenizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import search_bench  # noqa: E402

from catalogue.index import builder, content, parallel  # noqa: E402


def analysed_documents(loaded: content.Content, schema: fields.Schema) -> list[dict]:
    """Every provider document with each text field replaced by its tokens, space separated."""
    documents = []
    for record in loaded.providers:
        document = builder.provider_document(record, loaded.places)
        for name, value in document.items():
            if isinstance(schema[name], fields.TEXT):
                document[name] = " ".join(token.text for token in schema[name].analyzer(value))
        documents.append(document)
    return documents


def whoosh_only_schema(schema: fields.Schema) -> fields.Schema:
    """The site's schema, each text field with a tokenizer that only splits on spaces."""
    plain = SpaceSeparatedTokenizer()
    return fields.Schema(
        **{
            name: fields.TEXT(analyzer=plain, phrase=False) if isinstance(field, fields.TEXT) else field
            for name, field in schema.items()
        }
    )


def write(documents: list[dict], schema: fields.Schema, processes: int) -> None:
    folder = tempfile.mkdtemp(prefix="whoosh-floor-")
    writer = index.create_in(folder, schema).writer(limitmb=128, procs=processes, multisegment=True)
    for document in documents:
        writer.add_document(**document)
    writer.commit()


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=10_000)
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="build-floor-"))
    search_bench.write_content(work / "content", arguments.providers)
    search_bench.copy_thesaurus(work / "content")

    loaded: content.Content
    seconds = {}
    started = time.perf_counter()
    loaded = content.load_content(work / "content")
    seconds["load"] = time.perf_counter() - started
    schema = builder.make_schema()
    started = time.perf_counter()
    documents = analysed_documents(loaded, schema)
    seconds["analysis"] = time.perf_counter() - started
    processes = parallel.processes_for(len(loaded.providers))
    seconds["build"] = timed(lambda: builder.build(loaded, work / "index"))
    seconds["whoosh_alone"] = timed(lambda: write(documents, whoosh_only_schema(schema), processes))
    print(
        json.dumps(
            {
                "providers": len(loaded.providers),
                "processes": processes,
                "python": platform.python_version(),
                **{name: round(value, 1) for name, value in seconds.items()},
                "load_and_build": round(seconds["load"] + seconds["build"], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
