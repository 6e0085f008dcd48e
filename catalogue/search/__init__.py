"""The search engine: a SearchRequest answered from one snapshot of the index, with hits, filter
counts and advice. Knows nothing of pages, languages' texts or Flask's request."""
