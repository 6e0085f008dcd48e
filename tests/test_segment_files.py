"""Whoosh's in-memory files read the segment's memory map instead of a copy (issue 28: 265 MB per reader
at 50,000 offerings); they must read exactly what BytesIO read."""

import io
import pickle
import random

from whoosh.filedb.structfile import BufferFile

from catalogue.index import builder, segment_files
from catalogue.search import engine


def test_a_view_reader_reads_what_bytesio_reads():
    rng = random.Random(28)
    data = bytes(rng.randrange(256) for _ in range(5000)) + b"a line\nand another\n" + pickle.dumps({"x": [1, 2]})
    view, copy = segment_files.ViewReader(memoryview(data)), io.BytesIO(data)
    for _ in range(500):
        step = rng.choice(["read", "seek", "readline", "readinto", "tell"])
        if step == "read":
            size = rng.choice([-1, 0, 1, 7, 300, 10_000])
            assert view.read(size) == copy.read(size)
        elif step == "seek":
            whence = rng.choice([io.SEEK_SET, io.SEEK_CUR, io.SEEK_END])
            base = {io.SEEK_SET: 0, io.SEEK_CUR: copy.tell(), io.SEEK_END: len(data)}[whence]
            offset = rng.randrange(-base, len(data) + 50 - base)  # never before the start
            assert view.seek(offset, whence) == copy.seek(offset, whence)
        elif step == "readline":
            assert view.readline() == copy.readline()
        elif step == "readinto":
            into_view, into_copy = bytearray(rng.randrange(40)), bytearray(40)
            into_copy = into_copy[: len(into_view)]
            assert view.readinto(into_view) == copy.readinto(into_copy) and into_view == into_copy
        assert view.tell() == copy.tell()


def test_whooshs_buffer_file_reads_the_map_and_pickles_through_it():
    assert builder.segment_files is segment_files  # installed when the index layer is imported
    data = pickle.dumps({"segment": "ok"}) + b"rest"
    file = BufferFile(memoryview(data))
    assert isinstance(file.file, segment_files.ViewReader)
    assert file.read_pickle() == {"segment": "ok"} and file.read(4) == b"rest"
    assert file.get(0, 2) == data[:2]


def test_the_site_searches_the_same_through_the_map(site):
    snapshot = engine.Snapshot(builder.current_folder(site.config["INDEX_DIR"]))
    reader = snapshot.searcher().reader()
    assert all(isinstance(leaf._terms._tindex.dbfile.file, segment_files.ViewReader)
               for leaf, _base in reader.leaf_readers())  # fmt: skip
