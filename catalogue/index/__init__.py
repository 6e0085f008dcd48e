"""Content in, index out: provider Markdown, guidance pages, places and the thesaurus are read and
checked (``content``), then built into a Whoosh index that is swapped in whole (``builder``)."""
