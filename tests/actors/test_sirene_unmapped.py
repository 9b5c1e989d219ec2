"""The SIRENE import reads a SQLite file unmapped while it writes, then maps it again."""

import sqlite3

from ptce.actors.importers.sirene_write import Database


def test_the_import_unmaps_the_file_and_maps_it_again(tmp_path):
    db = Database.__new__(Database)  # on a plain connection: no Django needed
    db.vendor = "sqlite"
    db.raw = sqlite3.connect(tmp_path / "annuaire.sqlite3")
    db.raw.execute("CREATE TABLE t (x)")
    db.execute("PRAGMA mmap_size = 1048576")
    with db.unmapped():
        assert db.value("PRAGMA mmap_size") == 0
    assert db.value("PRAGMA mmap_size") == 1048576


def test_an_unmapped_database_stays_unmapped(tmp_path):
    db = Database.__new__(Database)
    db.vendor = "sqlite"
    db.raw = sqlite3.connect(tmp_path / "annuaire.sqlite3")
    with db.unmapped():
        assert db.value("PRAGMA mmap_size") == 0
    assert db.value("PRAGMA mmap_size") == 0
