"""The warehouse schema, versioned: each migration moves a file one version up, in order.

A new database runs them all; an existing one runs those it lacks, inside the writer's
transaction, so an old warehouse file is upgraded the first time a newer pipeline writes.
"""

from __future__ import annotations

import duckdb

MIGRATIONS: list[str] = [
    # version 1: catalog, load log, every observation ever loaded, current values.
    """
    CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
    CREATE TABLE pillars (pillar INTEGER PRIMARY KEY, name_vi VARCHAR, name_en VARCHAR);
    CREATE TABLE reporters (code VARCHAR PRIMARY KEY, kind VARCHAR, name_vi VARCHAR, name_en VARCHAR);
    CREATE TABLE indicators (
        code VARCHAR PRIMARY KEY, pillar INTEGER, domain VARCHAR, name_vi VARCHAR, name_en VARCHAR,
        unit VARCHAR, unit_vi VARCHAR, kind VARCHAR, frequency VARCHAR, combine VARCHAR,
        single_reporter VARCHAR, direction VARCHAR, baseline_period VARCHAR, baseline_value DOUBLE,
        target_2030 DOUBLE, target_2030_source VARCHAR, target_2045 DOUBLE, target_2045_source VARCHAR,
        plan_source VARCHAR
    );
    CREATE TABLE dimension_values (dimension VARCHAR, value VARCHAR, name_vi VARCHAR, name_en VARCHAR);
    CREATE SEQUENCE load_id_seq START 1;
    CREATE TABLE loads (
        load_id INTEGER PRIMARY KEY DEFAULT nextval('load_id_seq'),
        file_name VARCHAR NOT NULL,          -- as received
        sha256 VARCHAR NOT NULL,
        size_bytes BIGINT NOT NULL,
        received_at TIMESTAMP NOT NULL,      -- UTC
        status VARCHAR NOT NULL CHECK (status IN ('loaded', 'duplicate', 'rejected')),
        encoding VARCHAR,
        delimiter VARCHAR,
        rows_read INTEGER NOT NULL DEFAULT 0,
        rows_loaded INTEGER NOT NULL DEFAULT 0,
        rows_revised INTEGER NOT NULL DEFAULT 0,
        problem_count INTEGER NOT NULL DEFAULT 0,
        problems VARCHAR,                    -- JSON list of Problem dicts (capped)
        info VARCHAR,                        -- JSON list of [code, params]: skipped rows, conventions
        duplicate_of INTEGER,
        stored_as VARCHAR                    -- path under archive/ or rejected/
    );
    CREATE TABLE observations (
        load_id INTEGER NOT NULL,
        row_number INTEGER NOT NULL,         -- as Excel shows it, header = 1
        indicator VARCHAR NOT NULL,
        reporter VARCHAR NOT NULL,
        period VARCHAR NOT NULL,             -- YYYY or YYYY-Qn
        breakdown VARCHAR NOT NULL,          -- canonical JSON object, '{}' = total
        value DOUBLE NOT NULL,
        unit VARCHAR,
        note VARCHAR
    );
    CREATE VIEW current_observations AS
        SELECT * FROM observations
        QUALIFY row_number() OVER (
            PARTITION BY indicator, reporter, period, breakdown ORDER BY load_id DESC
        ) = 1;
    """,
    # version 2 (i18, review pack): the plan's source line in English, so English decks print no
    # Vietnamese; commentary per indicator, quarter and language, append-only (a new version is a
    # new row, the current one is the latest); the target register (catalog/targets.csv) beside
    # the catalog's other tables.
    """
    ALTER TABLE indicators ADD COLUMN plan_source_en VARCHAR;
    CREATE SEQUENCE commentary_id_seq START 1;
    CREATE TABLE commentary (
        commentary_id INTEGER PRIMARY KEY DEFAULT nextval('commentary_id_seq'),
        indicator VARCHAR NOT NULL,
        quarter VARCHAR NOT NULL,            -- YYYY-Qn under review
        lang VARCHAR NOT NULL CHECK (lang IN ('vi', 'en')),
        owner VARCHAR NOT NULL,              -- a unit (reporters.code) answerable for the next steps
        happened VARCHAR NOT NULL,
        challenges VARCHAR NOT NULL DEFAULT '',
        next_steps VARCHAR NOT NULL DEFAULT '',
        author VARCHAR NOT NULL,             -- who wrote it (user name, or the file's load)
        written_at TIMESTAMP NOT NULL,       -- UTC
        load_id INTEGER                      -- the file it came in, when it came in a file
    );
    CREATE TABLE target_versions (
        indicator VARCHAR NOT NULL, horizon INTEGER NOT NULL, value DOUBLE NOT NULL,
        effective_from DATE NOT NULL, source VARCHAR NOT NULL, reason_vi VARCHAR NOT NULL, reason_en VARCHAR
    );
    CREATE VIEW current_commentary AS
        SELECT * FROM commentary
        QUALIFY row_number() OVER (PARTITION BY indicator, quarter, lang ORDER BY commentary_id DESC) = 1;
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNewError(Exception):
    """The file was written by a newer pipeline; refuse rather than guess."""


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta' AND table_schema = 'main'"
    ).fetchone()[0]
    if not exists:
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema to SCHEMA_VERSION in one transaction; return the version found."""
    found = current_version(con)
    if found > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"the warehouse has schema version {found} but this pipeline knows {SCHEMA_VERSION}; upgrade the pipeline"
        )
    if found == SCHEMA_VERSION:
        return found
    con.execute("BEGIN")
    try:
        for sql in MIGRATIONS[found:]:
            con.execute(sql)
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return found
