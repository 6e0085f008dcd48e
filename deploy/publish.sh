#!/bin/sh
# Publish new content on this node: fetch it, validate it and build this node's own index.
# Run on every node (each builds from the same commit); a running node picks the new index up on
# its next request. On any content error nothing is published and the last good index serves.
#
# The desk writes, commits and publishes in this same checkout on the first node. Every writer of the
# checkout holds one lock (catalogue/editorial/editing.py, one_writer: desk.lock beside the index folder), so
# a pull never lands in the middle of an accept and git never finds the other's lock file.
set -eu
cd "$(dirname "$0")/.."
lock="$(dirname "${CATALOGUE_INDEX_DIR:-instance/index}")/desk.lock"
mkdir -p "$(dirname "$lock")"
exec flock "$lock" sh -c 'git pull --ff-only && exec .venv/bin/flask --app wsgi catalogue index'
