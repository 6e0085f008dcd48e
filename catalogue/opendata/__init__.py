"""The catalogue for other services and search engines: the JSON API and its OpenAPI description,
HSDS 3.0, CSV/NDJSON exports, Atom feeds, the sitemap and JSON-LD."""
