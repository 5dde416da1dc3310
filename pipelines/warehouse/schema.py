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
    # version 2 (plausibility, issue 16): warnings acknowledged at load time (who, when), and the catalog's
    # per-indicator check settings (checks.csv) stored with the published data.
    """
    CREATE TABLE load_warnings (
        load_id INTEGER NOT NULL,
        row_number INTEGER,                  -- as Excel shows it, header = 1
        code VARCHAR NOT NULL,               -- jump | fraction_for_percent | breakdown_sum | out_of_range
        indicator VARCHAR NOT NULL,
        reporter VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        breakdown VARCHAR NOT NULL,
        value DOUBLE,
        params VARCHAR,                      -- JSON: the numbers behind the warning
        acknowledged_by VARCHAR NOT NULL,
        acknowledged_at TIMESTAMP NOT NULL   -- UTC
    );
    CREATE TABLE indicator_checks (
        indicator VARCHAR PRIMARY KEY, max_ratio DOUBLE, robust_k DOUBLE, breakdown_tolerance DOUBLE,
        min_value DOUBLE, max_value DOUBLE, expected_reporters VARCHAR, partial_breakdowns VARCHAR
    );
    """,
    # version 3 (sign-off, issue 17): approval per reporter and period, closed quarters and
    # an append-only audit log. Events are only ever inserted; state is the latest event.
    """
    CREATE SEQUENCE audit_id_seq START 1;
    CREATE TABLE audit_log (
        audit_id BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
        at_utc TIMESTAMP NOT NULL,
        actor VARCHAR NOT NULL,              -- OS user, `--as` name or the app's user
        action VARCHAR NOT NULL,             -- load, duplicate, reject, approve, unapprove, close, reopen, ...
        object VARCHAR NOT NULL,             -- file name, 'REPORTER PERIOD' or a quarter
        reason VARCHAR,
        details VARCHAR                      -- JSON object
    );
    CREATE SEQUENCE signoff_id_seq START 1;
    CREATE TABLE signoffs (
        signoff_id INTEGER PRIMARY KEY DEFAULT nextval('signoff_id_seq'),
        reporter VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        action VARCHAR NOT NULL CHECK (action IN ('approve', 'unapprove')),
        through_load INTEGER,                -- approve: values loaded by loads up to this one
        actor VARCHAR NOT NULL,
        at_utc TIMESTAMP NOT NULL,
        reason VARCHAR
    );
    CREATE SEQUENCE closure_id_seq START 1;
    CREATE TABLE closures (
        closure_id INTEGER PRIMARY KEY DEFAULT nextval('closure_id_seq'),
        quarter VARCHAR NOT NULL,            -- YYYY-Qn: freezes every period ending on or before it
        action VARCHAR NOT NULL CHECK (action IN ('close', 'reopen')),
        actor VARCHAR NOT NULL,
        at_utc TIMESTAMP NOT NULL,
        reason VARCHAR
    );
    CREATE VIEW approval_state AS
        SELECT reporter, period, action = 'approve' AS approved, through_load, actor, at_utc, reason
        FROM signoffs
        QUALIFY row_number() OVER (PARTITION BY reporter, period ORDER BY signoff_id DESC) = 1;
    CREATE VIEW closed_quarters AS
        SELECT quarter, actor, at_utc, reason FROM (
            SELECT * FROM closures
            QUALIFY row_number() OVER (PARTITION BY quarter ORDER BY closure_id DESC) = 1)
        WHERE action = 'close';
    -- For each key, the latest value among those an approver signed off (the loads up to the
    -- approval of its reporter and period); nothing for a pair that is not approved.
    CREATE VIEW approved_observations AS
        SELECT o.* FROM observations o
        JOIN approval_state a ON a.reporter = o.reporter AND a.period = o.period AND a.approved
        WHERE o.load_id <= a.through_load
        QUALIFY row_number() OVER (
            PARTITION BY o.indicator, o.reporter, o.period, o.breakdown ORDER BY o.load_id DESC
        ) = 1;
    -- Current values that differ from their approved value (or have none): what waits.
    -- (Current values spelled out, not by name: a reader may shadow `current_observations`.)
    CREATE VIEW pending_observations AS
        SELECT c.*, a.value AS approved_value, a.load_id AS approved_load_id
        FROM (SELECT * FROM observations
              QUALIFY row_number() OVER (
                  PARTITION BY indicator, reporter, period, breakdown ORDER BY load_id DESC) = 1) c
        LEFT JOIN approved_observations a USING (indicator, reporter, period, breakdown)
        WHERE a.load_id IS NULL OR a.value <> c.value;
    """,
    # version 4 (review pack, issue 18): the plan's source line in English, so English decks print no
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
    # version 5 (issue 16): a target of one reporter's or one breakdown's own series (targets.csv's
    # optional reporter and breakdown columns; blank for a national target).
    """
    ALTER TABLE target_versions ADD COLUMN reporter VARCHAR DEFAULT '';
    ALTER TABLE target_versions ADD COLUMN breakdown VARCHAR DEFAULT '';
    """,
    # version 6 (review pack meets sign-off, issue 18): commentary is approved like figures, per
    # indicator and quarter ("the versions written up to commentary N are approved", both languages);
    # leaders read the latest approved version, a newer one waits. Events only ever inserted.
    """
    CREATE SEQUENCE commentary_signoff_id_seq START 1;
    CREATE TABLE commentary_signoffs (
        signoff_id INTEGER PRIMARY KEY DEFAULT nextval('commentary_signoff_id_seq'),
        indicator VARCHAR NOT NULL,
        quarter VARCHAR NOT NULL,
        action VARCHAR NOT NULL CHECK (action IN ('approve', 'unapprove')),
        through_commentary INTEGER,          -- approve: versions up to this commentary_id
        actor VARCHAR NOT NULL,
        at_utc TIMESTAMP NOT NULL,
        reason VARCHAR
    );
    CREATE VIEW commentary_approval_state AS
        SELECT indicator, quarter, action = 'approve' AS approved, through_commentary, actor, at_utc, reason
        FROM commentary_signoffs
        QUALIFY row_number() OVER (PARTITION BY indicator, quarter ORDER BY signoff_id DESC) = 1;
    CREATE VIEW approved_commentary AS
        SELECT c.* FROM commentary c
        JOIN commentary_approval_state a ON a.indicator = c.indicator AND a.quarter = c.quarter AND a.approved
        WHERE c.commentary_id <= a.through_commentary
        QUALIFY row_number() OVER (PARTITION BY c.indicator, c.quarter, c.lang ORDER BY c.commentary_id DESC) = 1;
    -- Current versions that are not the approved one (or have none): what waits.
    CREATE VIEW pending_commentary AS
        SELECT c.*, a.commentary_id AS approved_id
        FROM (SELECT * FROM commentary
              QUALIFY row_number() OVER (PARTITION BY indicator, quarter, lang ORDER BY commentary_id DESC) = 1) c
        LEFT JOIN approved_commentary a ON a.indicator = c.indicator AND a.quarter = c.quarter AND a.lang = c.lang
        WHERE a.commentary_id IS NULL OR a.commentary_id <> c.commentary_id;
    """,
    # version 7 (ingest speed, issue 21): the observations' breakdown keys and notes stored with
    # zstd. DuckDB's default for text, a dictionary with FSST, spent most of a load's insert on
    # keys and notes that hardly repeat (a `program` of distinct values, a note on every row: 0.5
    # s a million rows), and stored them three times larger. DuckDB cannot change a column's
    # compression in place, so the table is rebuilt once (the views name it, and bind it anew).
    """
    CREATE TABLE observations_v7 (
        load_id INTEGER NOT NULL,
        row_number INTEGER NOT NULL,
        indicator VARCHAR NOT NULL,
        reporter VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        breakdown VARCHAR NOT NULL USING COMPRESSION zstd,
        value DOUBLE NOT NULL,
        unit VARCHAR,
        note VARCHAR USING COMPRESSION zstd
    );
    INSERT INTO observations_v7 SELECT * FROM observations;
    DROP TABLE observations;
    ALTER TABLE observations_v7 RENAME TO observations;
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
