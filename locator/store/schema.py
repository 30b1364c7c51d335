"""The SQLite store's tables. The revision log refuses UPDATE and DELETE (triggers), so history
cannot be rewritten through SQL either; `stations` is the current state, derived from the log
in the same transaction."""

from __future__ import annotations

from typing import Final

SCHEMA_VERSION: Final = 1

SCHEMA: Final = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE changesets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL, by TEXT NOT NULL, why TEXT NOT NULL
);
CREATE TABLE revisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    changeset INTEGER NOT NULL REFERENCES changesets(id),
    station_id TEXT NOT NULL,
    rev INTEGER NOT NULL CHECK (rev >= 1),
    at TEXT NOT NULL, by TEXT NOT NULL, why TEXT NOT NULL, op TEXT NOT NULL,
    before TEXT, after TEXT,
    UNIQUE (station_id, rev)
);
CREATE TRIGGER revisions_append_only_update BEFORE UPDATE ON revisions
BEGIN SELECT RAISE(ABORT, 'the revision log is append-only: revisions are never changed'); END;
CREATE TRIGGER revisions_append_only_delete BEFORE DELETE ON revisions
BEGIN SELECT RAISE(ABORT, 'the revision log is append-only: revisions are never deleted'); END;
CREATE TABLE stations (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL, seq INTEGER NOT NULL,
    code TEXT,
    lon REAL NOT NULL, lat REAL NOT NULL,
    type_code INTEGER NOT NULL, amenities INTEGER NOT NULL, status_code INTEGER NOT NULL,
    opening_hours TEXT,
    feature TEXT NOT NULL
);
CREATE INDEX stations_id_nocase ON stations (id COLLATE NOCASE);
CREATE INDEX stations_code ON stations (code) WHERE code IS NOT NULL;
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
"""
