"""The batch: each file read, validated and loaded in its own transaction, then filed away.

Used by `kpi ingest`, `kpi demo` and the dashboard's upload page alike. Files are moved to
archive/ or rejected/ only after the new warehouse version is published, so a crash at any
point leaves every file either still in the inbox or filed, and the database as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb

from pipelines.catalog import Catalog, load_catalog
from pipelines.audit import catalog_digests, record_catalog_change, record_outcome
from pipelines.commentary import closed_issue
from pipelines.commentary import insert as insert_commentary
from pipelines.intake.check import check_bytes
from pipelines.load_plan import LoadPlan, plan_load
from pipelines.intake.commentary_file import looks_like_commentary, parse_commentary
from pipelines.problems import MAX_REPORTED, Problem, format_problem, info_message, printable, render_report
from pipelines.settings import Settings
from pipelines.signoff import closed_period_problems
from pipelines.warehouse.catalog_tables import (catalog_fingerprint, record_fingerprint, sync_catalog, sync_checks,
                                                 synced_fingerprint)
from pipelines.warehouse.store import open_reader, open_writer, writer_lock

# Hidden and Office lock files, rejection reports, and names copy tools give a file still being
# written (`kpi watch` only takes a file once renamed to its final name).
SKIPPED_NAMES = re.compile(r"^(\.|~\$)|\.report\.(txt|json)$|\.(part|partial|crdownload|filepart)$", re.IGNORECASE)


@dataclass
class FileOutcome:
    """What happened to one file; enough for the CLI line, the JSON summary and the upload page."""

    source: Path
    file_name: str
    status: str  # loaded | duplicate | rejected | held (warnings not acknowledged: nothing written, file left where it was)
    load_id: int
    sha256: str
    rows: int = 0
    revised: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    info: list[tuple[str, dict]] = field(default_factory=list)
    duplicate_of: int | None = None
    stored_as: Path | None = None
    report_path: Path | None = None
    plan: LoadPlan | None = None  # what the load changes (None for a duplicate or a rejected file)
    acknowledged_by: str | None = None  # who accepted the plan's warnings
    dry_run: bool = False
    reader: str | None = None  # 'fast', 'exact' or 'xlsx' (see pipelines.intake.read.ReadResult)

    def summary_line(self, lang: str = "en") -> str:
        words = {
            "en": {"loaded": "loaded", "duplicate": "duplicate", "rejected": "rejected", "held": "held back"},
            "vi": {"loaded": "đã nạp", "duplicate": "trùng lặp", "rejected": "từ chối", "held": "tạm giữ"},
        }[lang]
        if self.dry_run:
            words = {
                "en": {"loaded": "would load", "duplicate": "duplicate", "rejected": "would reject", "held": "would hold"},
                "vi": {"loaded": "sẽ nạp", "duplicate": "trùng lặp", "rejected": "sẽ từ chối", "held": "sẽ tạm giữ"},
            }[lang]
        head = f"{words[self.status]:<10} {printable(self.file_name)}"
        n_warn = len(self.plan.warnings) if self.plan else 0
        if self.status == "held":
            return f"{head}: " + (
                f"{n_warn} warning(s) not acknowledged; nothing loaded, the file stays where it is. "
                "Check the values below, then re-run with --accept-warnings (or fix the file and send it again)"
                if lang == "en" else
                f"{n_warn} cảnh báo chưa được xác nhận; chưa nạp gì, tệp vẫn ở chỗ cũ. "
                "Kiểm tra các giá trị dưới đây rồi chạy lại với --accept-warnings (hoặc sửa tệp và gửi lại)"
            )
        if self.status == "loaded":
            rows = f"{self.rows} rows" if lang == "en" else f"{self.rows} dòng"
            revised = (f", {self.revised} revised" if lang == "en" else f", {self.revised} giá trị sửa đổi") if self.revised else ""
            if self.dry_run and self.plan:
                p = self.plan
                revised = (f": {p.new} new, {p.revised} revised, {p.unchanged} unchanged" if lang == "en"
                           else f": {p.new} mới, {p.revised} sửa đổi, {p.unchanged} không đổi")
            acked = ""
            if n_warn:
                acked = (f"; {n_warn} warning(s)" + (f" acknowledged by {self.acknowledged_by}" if self.acknowledged_by else "")
                         if lang == "en" else
                         f"; {n_warn} cảnh báo" + (f" đã được {self.acknowledged_by} xác nhận" if self.acknowledged_by else ""))
            return f"{head}: {rows}{revised}{acked}"
        if self.status == "duplicate":
            return f"{head}: " + (
                f"same bytes as load #{self.duplicate_of}, not loaded again"
                if lang == "en" else f"giống hệt lần nạp #{self.duplicate_of}, không nạp lại"
            )
        first = format_problem(self.problems[0], self.file_name, lang) if self.problems else ""
        count = f"{self.problem_count} problem(s)" if lang == "en" else f"{self.problem_count} lỗi"
        return f"{head}: {count}; {first}"

    def to_json(self, lang: str = "en") -> dict:
        return {
            "file": self.file_name,
            "status": self.status,
            "load_id": self.load_id,
            "sha256": self.sha256,
            "rows": self.rows,
            "revised": self.revised,
            "problem_count": self.problem_count,
            "problems": [{**p.to_dict(), "message": p.message(lang)} for p in self.problems],
            "info": [info_message(code, params, lang) for code, params in self.info],
            "duplicate_of": self.duplicate_of,
            "stored_as": str(self.stored_as) if self.stored_as else None,
            "report": str(self.report_path) if self.report_path else None,
            "dry_run": self.dry_run,
            "acknowledged_by": self.acknowledged_by,
            "reader": self.reader,
            **(self.plan.to_json(lang) if self.plan else {}),
        }


class UsageError(Exception):
    """The user asked for something impossible (a path that does not exist)."""


MAX_NAME_BYTES = 120  # leaves room for the archive's stamp prefix under the usual 255-byte limit


def safe_name(name: str) -> str:
    """A file name that cannot escape a folder: no directories, no odd characters, bounded.

    NFC first (macOS uploads send decomposed names, whose combining marks are not word
    characters); bounded in UTF-8 bytes, not characters (Vietnamese letters take up to 3),
    keeping the end so the extension survives; never a name the inbox scan would skip.
    """
    base = Path(unicodedata.normalize("NFC", name).replace("\\", "/")).name
    base = re.sub(r"[^\w.\-]+", "_", base).strip("._") or "file"
    base = re.sub(r"\.report\.(txt|json)$", r"_report.\1", base)
    while len(base.encode("utf-8")) > MAX_NAME_BYTES:
        base = base[1:]
    return base.lstrip("._") or "file"


def display_name(path: Path) -> str:
    """The file's name as text to store and show: NFC, and valid UTF-8 even when the name on
    disk holds bytes that are not (e.g. a Windows-1258 name unpacked from a zip)."""
    raw = path.name.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
    return unicodedata.normalize("NFC", raw)


def collect_files(paths: list[Path]) -> list[Path]:
    """Files named, and the files inside folders named, in name order; skips reports and temp files.

    A file reached twice (`kpi ingest data/inbox data/inbox/a.csv`) is listed once: filing it
    twice would fail on the second move, after the load was published.
    """
    found: dict[Path, Path] = {}
    for path in paths:
        if path.is_dir():
            listed = sorted(p for p in path.iterdir() if p.is_file() and not SKIPPED_NAMES.search(p.name))
        elif path.is_file():
            listed = [path]
        else:
            raise UsageError(f"no such file or folder: {path}")
        for p in listed:
            found.setdefault(p.resolve(), p)
    return list(found.values())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _insert_load(con: duckdb.DuckDBPyConnection, values: dict) -> int:
    cols = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    return con.execute(f"INSERT INTO loads ({cols}) VALUES ({marks}) RETURNING load_id", list(values.values())).fetchone()[0]


def _ingest_one(con, path: Path, settings: Settings, catalog: Catalog, today: date,
                acknowledged_by: str | None = None) -> FileOutcome:
    received = datetime.now(timezone.utc).replace(tzinfo=None)
    size = path.stat().st_size
    # A file within the bound is read once: hashed here, then handed to the reader as the only
    # holder of its bytes (check_bytes lets them go once read); an oversized one is hashed as a
    # stream, never read into memory. The hash is then of the very bytes validated.
    held = [path.read_bytes()] if size <= settings.max_file_bytes else []
    sha = hashlib.sha256(held[0]).hexdigest() if held else _sha256(path)
    name = display_name(path)
    base = {"file_name": name, "sha256": sha, "size_bytes": size, "received_at": received}

    dup = con.execute(
        "SELECT min(load_id) FROM loads WHERE sha256 = ? AND status = 'loaded'", [sha]
    ).fetchone()[0]
    if dup is not None:
        load_id = _insert_load(con, {**base, "status": "duplicate", "duplicate_of": dup})
        return FileOutcome(path, name, "duplicate", load_id, sha, duplicate_of=dup)

    if held and looks_like_commentary(held[0][:4096]):
        held.clear()
        return _ingest_commentary(con, path, base, catalog)

    def load() -> bytes:
        """The bytes read above, given away; the file again only if the reader asks twice. An
        oversized file is judged from its size alone."""
        if held:
            return held.pop()
        return path.read_bytes() if size <= settings.max_file_bytes else b""

    read, checked = check_bytes(load, settings.max_file_bytes, catalog, today, size=size, limits=settings.limits)
    result_problems = read.problems
    info = checked.info if checked else []
    meta = {
        "encoding": read.encoding,
        "delimiter": read.delimiter,
        "info": json.dumps(info, ensure_ascii=False),
    }
    if checked is None or not checked.ok:
        problems = result_problems[:MAX_REPORTED] if checked is None else checked.problems
        count = len(result_problems) if checked is None else checked.problem_count
        load_id = _insert_load(con, {
            **base, **meta, "status": "rejected", "rows_read": checked.rows_read if checked else 0,
            "problem_count": count, "problems": json.dumps([p.to_dict() for p in problems], ensure_ascii=False),
        })
        return FileOutcome(path, name, "rejected", load_id, sha, problems=problems, problem_count=count, info=info, reader=read.reader)

    # The rows as DuckDB reads them (Arrow, in place), each breakdown key built by DuckDB as it
    # reads its row: the keys of a wide file (hundreds of megabytes) are never held whole.
    staged = checked.staged.relation(con)  # noqa: F841 - scanned by DuckDB by name
    staged_rows = checked.staged.height
    # A value in a closed quarter is refused before anything else: no acknowledgement opens it.
    frozen, frozen_count = closed_period_problems(con, staged)
    if read.cells is not None:  # a workbook's cell, and its value as the cell shows it
        frozen = [read.cells.problem(p) for p in frozen]
    if frozen:
        load_id = _insert_load(con, {
            **base, **meta, "status": "rejected", "rows_read": checked.rows_read, "problem_count": frozen_count,
            "problems": json.dumps([p.to_dict() for p in frozen], ensure_ascii=False),
        })
        return FileOutcome(path, name, "rejected", load_id, sha, problems=frozen, problem_count=frozen_count, info=info, reader=read.reader)
    # What the load would change, and whether it looks plausible: a file with warnings waits
    # for an analyst's acknowledgement (nothing written, no load row, the file left in place).
    plan = plan_load(con, checked.staged, catalog)
    if read.cells is not None:
        plan.warnings = [read.cells.warning(w) for w in plan.warnings]
        plan.revisions = [read.cells.revision(r) for r in plan.revisions]
    if plan.warnings and not acknowledged_by:
        return FileOutcome(path, name, "held", 0, sha, rows=staged_rows, info=info, reader=read.reader, plan=plan)
    con.execute("BEGIN")
    try:
        # Revised = a key already loaded whose current value this file changes (a re-sent
        # identical value still supersedes in the history, but is not a revision to report):
        # the plan counted them on this connection, and nothing was written since.
        revised = plan.revised
        load_id = _insert_load(con, {
            **base, **meta, "status": "loaded", "rows_read": checked.rows_read,
            "rows_loaded": staged_rows, "rows_revised": revised,
        })
        # Breakdown rows first, then the totals (every breakdown blank): a load's totals then sit
        # together in a few row groups, and the overview's `breakdown = '{}'` scan skips all the
        # others by their min/max.
        for part in checked.staged.parts(con):  # noqa: B007 - scanned by DuckDB by name
            con.execute(
                """INSERT INTO observations
                   SELECT ?, row_number, indicator, reporter, period, breakdown, value, unit, note FROM part""",
                [load_id],
            )
            del part
        if plan.warnings:
            con.executemany(
                "INSERT INTO load_warnings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [[load_id, w.row, w.code, w.indicator, w.reporter, w.period, w.breakdown, w.value,
                  json.dumps(w.params, ensure_ascii=False), acknowledged_by, received] for w in plan.warnings],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return FileOutcome(path, name, "loaded", load_id, sha, rows=staged_rows, revised=revised, info=info, reader=read.reader, plan=plan,
                       acknowledged_by=acknowledged_by if plan.warnings else None)


def _ingest_commentary(con, path: Path, base: dict, catalog: Catalog) -> FileOutcome:
    """A commentary file (pipelines/intake/commentary_file.py): all its rows as new versions, or none."""
    entries, problems, rows_read = parse_commentary(path.read_bytes(), catalog, author=base["file_name"],
                                                    closed=lambda quarter: closed_issue(con, quarter))
    meta = {"encoding": "utf-8", "delimiter": ",", "rows_read": rows_read}
    if problems:
        shown = problems[:MAX_REPORTED]
        load_id = _insert_load(con, {**base, **meta, "status": "rejected", "problem_count": len(problems),
                                     "problems": json.dumps([p.to_dict() for p in shown], ensure_ascii=False)})
        return FileOutcome(path, base["file_name"], "rejected", load_id, base["sha256"], problems=shown,
                           problem_count=len(problems))
    con.execute("BEGIN")
    try:
        load_id = _insert_load(con, {**base, **meta, "status": "loaded", "rows_loaded": len(entries)})
        insert_commentary(con, [replace(e, load_id=load_id) for e in entries])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return FileOutcome(path, base["file_name"], "loaded", load_id, base["sha256"], rows=len(entries))


def _stored_name(outcome: FileOutcome) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}_{outcome.load_id:06d}_{safe_name(outcome.file_name)}"


class _DryRunOver(Exception):
    """Raised inside the writer to discard the staging copy after a dry run."""


def ingest(paths: list[Path] | None, settings: Settings, catalog: Catalog | None = None,
           today: date | None = None, lang: str | None = None, *, dry_run: bool = False,
           acknowledged_by: str | None = None, actor: str | None = None) -> list[FileOutcome]:
    """Load every file named (default: the inbox); return one outcome per file, in order.

    `acknowledged_by`: who accepts the files' plausibility warnings; without it a file with
    warnings is held back (status 'held': nothing written, the file left where it is).
    `dry_run`: do everything on the writer's staging copy, then throw the copy away and leave
    every file where it is: the outcomes say what a real run would do, files in order (a later
    file sees what an earlier one would have loaded).
    `actor` names who loads in the audit log (the app's user, `--as`); default the OS user.
    """
    lang = lang or settings.language
    catalog = catalog or load_catalog(settings.catalog_dir)
    today = today or date.today()
    for folder in (settings.inbox_dir, settings.archive_dir, settings.rejected_dir):
        folder.mkdir(parents=True, exist_ok=True)
    collect_files(paths if paths else [settings.inbox_dir])  # a wrong path is said before any waiting
    outcomes: list[FileOutcome] = []
    # The lock covers listing, loading and filing: an ingest that waited for this one must not
    # list files this one is about to move (it would crash on them, or load them twice).
    with writer_lock(settings.warehouse_path, settings.lock_timeout_s):
        finish_filing(settings)  # what a run that died after publishing left to file
        files = collect_files(paths if paths else [settings.inbox_dir])
        journal = _journal_path(settings)
        try:
            with open_writer(settings.warehouse_path, lock_held=True) as con:
                fingerprint = catalog_fingerprint(catalog)
                if synced_fingerprint(con) != fingerprint:  # the catalog changed (or was never recorded)
                    catalog_before = catalog_digests(con)
                    sync_catalog(con, catalog)
                    sync_checks(con, catalog)
                    record_catalog_change(con, actor, catalog_before)
                    record_fingerprint(con, fingerprint)
                for path in files:
                    outcome = _ingest_one(con, path, settings, catalog, today, acknowledged_by)
                    outcome.dry_run = dry_run
                    outcomes.append(outcome)
                    if outcome.status == "held" or dry_run:
                        continue
                    folder = settings.rejected_dir if outcome.status == "rejected" else settings.archive_dir
                    outcome.stored_as = folder / _stored_name(outcome)
                    con.execute("UPDATE loads SET stored_as = ? WHERE load_id = ?", [str(outcome.stored_as), outcome.load_id])
                    record_outcome(con, actor, outcome)
                if dry_run:
                    raise _DryRunOver
                # The filing to do once published, written down before the publish: a run that
                # dies while it files leaves the rest to the next run (finish_filing). A held file
                # stays where it is.
                filed = [o for o in outcomes if o.status != "held"]
                plan = _filing_plan(filed, settings, lang)
                _write_journal(journal, plan)
        except _DryRunOver:
            return outcomes
        # Published: now file the sources (report first, so a rejected file is never without
        # one). A crash before the publish leaves them in the inbox (the journal names loads the
        # warehouse does not hold, and is dropped); a crash after it, the journal to finish.
        for entry, outcome in zip(plan, filed):
            outcome.report_path = _file_away(entry)
        journal.unlink(missing_ok=True)
    return outcomes


def _journal_path(settings: Settings) -> Path:
    return settings.warehouse_path.with_name("." + settings.warehouse_path.name + ".filing.json")


def _filing_plan(outcomes: list[FileOutcome], settings: Settings, lang: str) -> list[dict]:
    inbox = settings.inbox_dir.resolve()
    plan = []
    for outcome in outcomes:
        assert outcome.stored_as is not None
        report = None
        if outcome.status == "rejected":
            report = render_report(outcome.file_name, outcome.problems, outcome.problem_count, lang)
        plan.append({
            "load_id": outcome.load_id, "source": str(outcome.source.resolve()), "stored_as": str(outcome.stored_as),
            "move": outcome.source.resolve().parent == inbox, "report": report,
        })
    return plan


def _write_journal(path: Path, plan: list[dict]) -> None:
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(plan, handle)  # ASCII escapes: a name on disk may hold bytes that are not UTF-8
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _file_away(entry: dict) -> Path | None:
    """Report (if any), then the file, to their places; safe to repeat after a crash at any point."""
    source, target = Path(entry["source"]), Path(entry["stored_as"])
    report_path = None
    if entry["report"] is not None:
        report_path = target.with_name(target.name + ".report.txt")
        if not report_path.exists():
            tmp = report_path.with_name("." + report_path.name + ".part")
            tmp.write_text(entry["report"], encoding="utf-8")
            os.replace(tmp, report_path)
    if entry["move"]:
        if source.exists():
            shutil.move(source, target)  # a rename on one file system; copy-then-delete across two
    elif source.exists() and not target.exists():
        tmp = target.with_name("." + target.name + ".part")
        shutil.copy2(source, tmp)
        os.replace(tmp, target)
    return report_path


def finish_filing(settings: Settings) -> None:
    """Finish the filing a run left undone when it died after publishing (the caller holds the
    writer lock): the loads its journal names that the published warehouse holds get their
    file and report, as recorded in `stored_as`; a journal of loads never published is dropped."""
    journal = _journal_path(settings)
    if not journal.exists():
        return
    try:
        plan = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        plan = []  # torn before its replace completed: the publish never happened
    with open_reader(settings.warehouse_path) as con:
        published = set()
        if con is not None and plan:
            published = {
                (load_id, stored) for load_id, stored in con.execute(
                    "SELECT load_id, stored_as FROM loads WHERE load_id IN (SELECT unnest(?))", [[e["load_id"] for e in plan]]
                ).fetchall()
            }
    for entry in plan:
        if (entry["load_id"], entry["stored_as"]) in published:
            _file_away(entry)
    journal.unlink(missing_ok=True)


@dataclass
class Preview:
    """A dry run of validation for the upload page: what a load would do, nothing written."""

    status: str  # 'valid' | 'rejected'
    rows: int
    problems: list[Problem]
    problem_count: int
    info: list[tuple[str, dict]]


def preview(data: bytes, settings: Settings, catalog: Catalog, today: date | None = None) -> Preview:
    """Read and validate bytes exactly as `ingest` would, without touching the warehouse."""
    read, checked = check_bytes(lambda: data, settings.max_file_bytes, catalog, today or date.today(),
                                limits=settings.limits)
    if checked is None:
        return Preview("rejected", 0, read.problems, len(read.problems), [])
    if checked.ok:
        return Preview("valid", checked.staged.height, [], 0, checked.info)  # type: ignore[union-attr]
    return Preview("rejected", checked.rows_read, checked.problems, checked.problem_count, checked.info)


def save_upload(name: str, data: bytes, settings: Settings) -> Path:
    """Store uploaded bytes in the inbox under a safe, unused name (the client's name is not trusted).

    The bytes go to a hidden temporary file of their own first, which is then hard-linked under
    the first free name: a link never replaces an existing file, so uploads of the same name at
    the same moment each keep their bytes, and a name appears only once its file is complete.
    """
    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    target = settings.inbox_dir / safe_name(name)
    stem, suffix = target.stem, target.suffix
    fd, tmp = tempfile.mkstemp(dir=settings.inbox_dir, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        n = 1
        while True:
            try:
                _link_or_create(Path(tmp), target, data)
                return target
            except FileExistsError:
                n += 1
                target = settings.inbox_dir / f"{stem}_{n}{suffix}"
    finally:
        Path(tmp).unlink(missing_ok=True)


def _link_or_create(tmp: Path, target: Path, data: bytes) -> None:
    """`target` holding `data`, or FileExistsError; never replaces a file. A file system without
    hard links gets the name taken exclusively and the bytes written into it instead."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)


@dataclass
class LoadPreview:
    """The upload page's preview of one file: validation, and what loading it would change."""

    check: Preview
    plan: LoadPlan | None = None  # None when the file would be rejected or is a duplicate
    duplicate_of: int | None = None


def preview_load(data: bytes, settings: Settings, catalog: Catalog, today: date | None = None) -> LoadPreview:
    """Validate bytes as `ingest` would and work out the load's effect against the published
    warehouse (read-only; nothing written). Each file is judged on its own against what is published."""
    from pipelines.warehouse.store import open_reader

    sha = hashlib.sha256(data).hexdigest()
    with open_reader(settings.warehouse_path) as con:
        if con is not None:
            dup = con.execute("SELECT min(load_id) FROM loads WHERE sha256 = ? AND status = 'loaded'", [sha]).fetchone()[0]
            if dup is not None:
                return LoadPreview(Preview("valid", 0, [], 0, []), None, dup)
        read, checked = check_bytes(lambda: data, settings.max_file_bytes, catalog, today or date.today(),
                                    limits=settings.limits)
        if checked is None:
            return LoadPreview(Preview("rejected", 0, read.problems, len(read.problems), []))
        if not checked.ok:
            return LoadPreview(Preview("rejected", checked.rows_read, checked.problems, checked.problem_count, checked.info))
        plan = plan_load(con, checked.staged, catalog)  # type: ignore[arg-type]
        if read.cells is not None:
            plan.warnings = [read.cells.warning(w) for w in plan.warnings]
            plan.revisions = [read.cells.revision(r) for r in plan.revisions]
        return LoadPreview(Preview("valid", checked.staged.height, [], 0, checked.info), plan)  # type: ignore[union-attr]
