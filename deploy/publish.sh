#!/bin/sh
# Publish new content on this node: fetch it, validate it and build this node's own index.
# Run on every node (each builds from the same commit); a running node picks the new index up on
# its next request. On any content error nothing is published and the last good index serves.
set -eu
cd "$(dirname "$0")/.."
git pull --ff-only
exec .venv/bin/flask --app wsgi catalogue index
