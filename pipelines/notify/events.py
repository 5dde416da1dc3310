"""What is worth telling, found from durable facts: the load log, the inbox, the deadlines, the
statuses. Each event has a stable key, so finding it again on the next run changes nothing.

Events and who hears about them:
- `rejected:<load>`: a file rejected -> its reporter's contacts (catalog), report attached;
  analysts when no reporter can be read from the file.
- `warnings:<load>`: a file loaded with warnings -> its reporter's contacts (ready for the
  `warnings` column of the load log; nothing happens while it does not exist).
- `waiting:<sha256>`: a file left in the inbox (e.g. waiting for an analyst to accept its
  warnings) -> analysts.
- `missing:<reporter>:<period>`: a report missing at its deadline -> analysts.
- `digest:<day>`: the day's loads -> analysts, after KPI_NOTIFY_DIGEST_HOUR.
- `worse:<indicator>:<horizon>:<old>><new>@<load>`: a status that worsened -> leaders.
- `review:<quarter>`: the quarter's review pack (PDF) -> leaders, once the quarter's reports
  are all in or its deadline has passed.
Loads older than KPI_NOTIFY_LOOKBACK_H are not reported, so switching notifications on over an
old warehouse does not send its whole history.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from pipelines.catalog import Catalog
from pipelines.deadlines import due_date, last_ended, newly_missing
from pipelines.notify.messages import render, status_word
from pipelines.problems import Problem, format_problem, render_report
from pipelines.read_model.reporting import inbox_files, timeliness
from pipelines.settings import Settings

RANK = {"deterioration": 0, "limited_progress": 1, "acceleration_needed": 2, "on_track": 3, "achieved": 4}
LISTED = 20  # problems listed in a message body (all of them are in the attached report)

# lang -> (subject, body, attachments [{"path", "name"}]); `write` is False in a dry run.
Maker = Callable[[str, bool], tuple[str, str, list[dict]]]


@dataclass
class Event:
    key: str
    kind: str
    audience: str  # reporter | analysts | leaders
    recipients: list[tuple[str, str]]  # (address, language) for e-mail
    make: Maker
    data: dict = field(default_factory=dict)


@dataclass
class Context:
    settings: Settings
    catalog: Catalog  # from the catalog files: contacts and deadlines
    con: duckdb.DuckDBPyConnection | None
    today: date
    now: datetime  # UTC, naive (as the load log stores times)
    previous: dict  # what the last run saw: {"statuses": {...}, "digest_until": ...}
    seen_keys: set[str]
    # Writes the quarter's review pack (warehouse, quarter, language, folder). The renderer is the
    # app's (dashboard.report), which this library must not import: the `kpi` command passes it in.
    render_pack: Callable[[Path, str, str, Path], None] | None = None


def _local(ts: datetime, tz: str) -> str:
    return ts.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M")


def reporters_in_file(path: Path, catalog: Catalog, max_bytes: int) -> list[str]:
    """Known reporter codes in a (rejected) file's reporter column; [] when it cannot be read."""
    from pipelines.intake.read import read_bytes
    from pipelines.intake.table import Table, whole

    try:
        if not path.exists() or path.stat().st_size > max_bytes:
            return []
        read = read_bytes(path.read_bytes(), max_bytes, exact=True)
        table = read.table if isinstance(read.table, Table) or read.table is None else whole(read.table)
        if table is None or "reporter" not in table.columns:
            return []
        column = table.frame[f"c{table.columns.index('reporter')}"]
        codes = {str(v).strip().upper() for v in column.unique().to_list() if v}
        return sorted(c for c in codes if c in catalog.reporters)
    except Exception:  # noqa: BLE001 - a file that cannot be read names no reporter
        return []


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def rejected_files(ctx: Context) -> list[Event]:
    s = ctx.settings
    since = ctx.now - timedelta(hours=s.notify_lookback_h)
    out = []
    for load in _rows(ctx.con, "SELECT * FROM loads WHERE status = 'rejected' AND received_at >= ? ORDER BY load_id", [since]):
        key = f"rejected:{load['load_id']}:{load['sha256'][:12]}"
        if key in ctx.seen_keys:
            continue
        problems = [Problem.from_dict(p) for p in json.loads(load["problems"] or "[]")]
        stored = Path(load["stored_as"]) if load["stored_as"] else None
        reporters = reporters_in_file(stored, ctx.catalog, s.max_file_bytes) if stored else []
        contacts = [(c.email, c.language) for r in reporters for c in ctx.catalog.contacts.get(r, [])] \
            if s.notify_reporters else []
        kind, audience = ("rejected", "reporter") if contacts else ("rejected_unknown", "analysts")
        recipients = contacts or s.analyst_recipients

        def make(lang: str, write: bool, load=load, problems=problems, kind=kind) -> tuple[str, str, list[dict]]:
            name = load["file_name"]
            listed = "\n".join("  " + format_problem(p, name, lang) for p in problems[:LISTED])
            more = load["problem_count"] - min(len(problems), LISTED)
            if more > 0:
                listed += f"\n  ... {more} " + ("lỗi khác" if lang == "vi" else "more")
            subject, body = render(kind, lang, file=name, count=load["problem_count"],
                                   received=_local(load["received_at"], s.timezone), problems=listed)
            attachment = s.notify_dir / "attachments" / f"load{load['load_id']}.{lang}.report.txt"
            if write:
                attachment.parent.mkdir(parents=True, exist_ok=True)
                attachment.write_text(render_report(name, problems, load["problem_count"], lang), encoding="utf-8")
            return subject, body, [{"path": str(attachment), "name": f"{name}.report.txt"}]

        out.append(Event(key, kind, audience, recipients, make,
                         {"file": load["file_name"], "load_id": load["load_id"], "reporters": reporters,
                          "problem_count": load["problem_count"]}))
    return out


def loaded_with_warnings(ctx: Context) -> list[Event]:
    """Hook for plausibility warnings: active once the load log has a `warnings` column (JSON list)."""
    has = ctx.con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'loads' AND column_name = 'warnings'"
    ).fetchone()[0]
    if not has or not ctx.settings.notify_reporters:
        return []
    since = ctx.now - timedelta(hours=ctx.settings.notify_lookback_h)
    out = []
    for load in _rows(ctx.con, "SELECT * FROM loads WHERE status = 'loaded' AND received_at >= ? "
                               "AND warnings IS NOT NULL AND warnings NOT IN ('', '[]') ORDER BY load_id", [since]):
        key = f"warnings:{load['load_id']}:{load['sha256'][:12]}"
        if key in ctx.seen_keys:
            continue
        try:
            warnings = json.loads(load["warnings"])
        except (TypeError, json.JSONDecodeError):
            warnings = [str(load["warnings"])]
        reporters = sorted({r for (r,) in ctx.con.execute(
            "SELECT DISTINCT reporter FROM observations WHERE load_id = ?", [load["load_id"]]).fetchall()})
        contacts = [(c.email, c.language) for r in reporters for c in ctx.catalog.contacts.get(r, [])]

        def make(lang: str, write: bool, load=load, warnings=warnings) -> tuple[str, str, list[dict]]:
            lines = "\n".join("  " + (w.get(f"message_{lang}") or w.get("message") or json.dumps(w, ensure_ascii=False)
                                      if isinstance(w, dict) else str(w)) for w in warnings[:LISTED])
            return (*render("warnings", lang, file=load["file_name"], count=len(warnings), warnings=lines), [])

        out.append(Event(key, "warnings", "reporter", contacts, make, {"file": load["file_name"], "load_id": load["load_id"]}))
    return out


def files_waiting(ctx: Context) -> list[Event]:
    s = ctx.settings
    out = []
    for w in inbox_files(s.inbox_dir):
        minutes = int((ctx.now - w.modified).total_seconds() // 60)
        if (ctx.now - w.modified).total_seconds() < s.notify_waiting_after_s:
            continue
        path = s.inbox_dir / w.name
        try:
            digest = hashlib.sha256(path.read_bytes()[: s.max_file_bytes]).hexdigest()
        except OSError:
            continue
        key = f"waiting:{digest[:16]}"
        if key in ctx.seen_keys:
            continue

        def make(lang: str, write: bool, name=w.name, minutes=minutes) -> tuple[str, str, list[dict]]:
            return (*render("waiting", lang, file=name, minutes=minutes), [])

        out.append(Event(key, "waiting", "analysts", s.analyst_recipients, make, {"file": w.name, "minutes": minutes}))
    return out


def missing_reports(ctx: Context) -> list[Event]:
    out = []
    for r in newly_missing(timeliness(ctx.con, ctx.catalog, ctx.today, ctx.settings.timezone), ctx.today):
        key = f"missing:{r.reporter}:{r.period}"
        if key in ctx.seen_keys:
            continue
        reporter = ctx.catalog.reporters.get(r.reporter)

        def make(lang: str, write: bool, r=r, reporter=reporter) -> tuple[str, str, list[dict]]:
            name = (reporter.name_vi if lang == "vi" else reporter.name_en) if reporter else r.reporter
            return (*render("missing", lang, reporter=r.reporter, name=name, period=r.period,
                            due=r.due.strftime("%d/%m/%Y"), received=r.received, expected=r.expected), [])

        out.append(Event(key, "missing", "analysts", ctx.settings.analyst_recipients, make,
                         {"reporter": r.reporter, "period": r.period, "due": r.due.isoformat(),
                          "received": r.received, "expected": r.expected}))
    return out


def daily_digest(ctx: Context) -> list[Event]:
    s = ctx.settings
    local_now = ctx.now.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(s.timezone))
    day = ctx.today.isoformat()
    key = f"digest:{day}"
    if s.notify_digest_hour >= 24 or local_now.hour < s.notify_digest_hour or key in ctx.seen_keys:
        return []
    since_text = ctx.previous.get("digest_until")
    since = datetime.fromisoformat(since_text) if since_text else ctx.now - timedelta(hours=24)
    loads = _rows(ctx.con, "SELECT load_id, file_name, status, rows_loaded, problem_count, received_at FROM loads "
                           "WHERE received_at > ? AND received_at <= ? ORDER BY load_id", [since, ctx.now])
    if not loads:
        return []
    counts = {k: sum(1 for x in loads if x["status"] == k) for k in ("loaded", "rejected", "duplicate")}

    def make(lang: str, write: bool) -> tuple[str, str, list[dict]]:
        words = {"vi": {"loaded": "đã nạp", "rejected": "bị từ chối", "duplicate": "trùng lặp"},
                 "en": {"loaded": "loaded", "rejected": "rejected", "duplicate": "duplicate"}}[lang]
        lines = "\n".join(f"  #{x['load_id']} {_local(x['received_at'], s.timezone)} {words[x['status']]:<11} {x['file_name']}"
                          for x in loads[:200])
        return (*render("digest", lang, day=ctx.today.strftime("%d/%m/%Y"), loaded=counts["loaded"],
                        rejected=counts["rejected"], since=_local(since, s.timezone), until=_local(ctx.now, s.timezone),
                        lines=lines), [])

    return [Event(key, "digest", "analysts", s.analyst_recipients, make,
                  {"day": day, **counts, "until": ctx.now.isoformat()})]


def current_statuses(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, dict], int]:
    from pipelines.read_model.catalog import read_catalog
    from pipelines.read_model.headline import assess_catalog, headline_rows, headline_series

    catalog = read_catalog(con)
    series = headline_series(catalog, headline_rows(con))
    out = {}
    for code, items in assess_catalog(catalog, series).items():
        for a in items:
            out[f"{code}:{a.horizon}"] = {
                "status": a.status, "latest": a.latest_value, "period": a.latest_period, "ratio": a.ratio,
                "target": a.target, "name_vi": catalog.indicators[code].name_vi, "name_en": catalog.indicators[code].name_en,
            }
    last_load = con.execute("SELECT coalesce(max(load_id), 0) FROM loads WHERE status = 'loaded'").fetchone()[0]
    return out, last_load


def worsened_statuses(ctx: Context, now_statuses: dict[str, dict], last_load: int) -> list[Event]:
    before = ctx.previous.get("statuses")
    if before is None:  # the first run sets the baseline
        return []
    out = []
    for ident, cur in now_statuses.items():
        old, new = (before.get(ident) or {}).get("status"), cur["status"]
        if old not in RANK or new not in RANK or RANK[new] >= RANK[old]:
            continue
        code, horizon = ident.split(":")
        key = f"worse:{code}:{horizon}:{old}>{new}@{last_load}"
        if key in ctx.seen_keys:
            continue

        def make(lang: str, write: bool, code=code, horizon=horizon, old=old, new=new, cur=cur) -> tuple[str, str, list[dict]]:
            num = lambda v: "-" if v is None else f"{v:,.4g}"  # noqa: E731
            return (*render("worse", lang, indicator=code, name=cur[f"name_{lang}"], horizon=horizon,
                            old=status_word(old, lang), new=status_word(new, lang), latest=num(cur["latest"]),
                            period=cur["period"] or "-", ratio=num(cur["ratio"]), target=num(cur["target"])), [])

        out.append(Event(key, "worse", "leaders", ctx.settings.leader_recipients, make,
                         {"indicator": code, "horizon": int(horizon), "from": old, "to": new, "load_id": last_load}))
    return out


def review_pack(ctx: Context) -> list[Event]:
    s = ctx.settings
    if not s.notify_review_pack or ctx.render_pack is None or "quarterly" not in ctx.catalog.deadlines:
        return []
    quarter = last_ended("quarterly", ctx.today)
    key = f"review:{quarter}"
    if quarter is None or key in ctx.seen_keys:
        return []
    if not ctx.con.execute("SELECT count(*) FROM current_observations WHERE period = ?", [quarter]).fetchone()[0]:
        return []
    judged = [r for r in timeliness(ctx.con, ctx.catalog, ctx.today, s.timezone) if r.period == quarter]
    all_in = judged and all(r.arrived is not None for r in judged)
    if not all_in and ctx.today <= due_date(quarter, ctx.catalog.deadlines["quarterly"]):
        return []

    def make(lang: str, write: bool) -> tuple[str, str, list[dict]]:
        folder = s.notify_dir / "review" / f"{quarter}-{lang}"
        if write and not (folder / "review.pdf").exists():
            ctx.render_pack(s.warehouse_path, quarter, lang, folder)
        return (*render("review", lang, quarter=quarter),
                [{"path": str(folder / "review.pdf"), "name": f"review-{quarter}-{lang}.pdf"}])

    return [Event(key, "review", "leaders", s.leader_recipients, make, {"quarter": quarter})]


def find_events(ctx: Context) -> tuple[list[Event], dict]:
    """Every event not yet in the ledger, and the state to remember for the next run."""
    waiting = files_waiting(ctx)  # needs no warehouse: a first file may be the one held
    if ctx.con is None:
        return waiting, ctx.previous
    events = rejected_files(ctx) + loaded_with_warnings(ctx) + waiting
    if ctx.catalog.deadlines:
        events += missing_reports(ctx)
    events += daily_digest(ctx)
    statuses, last_load = current_statuses(ctx.con)
    events += worsened_statuses(ctx, statuses, last_load)
    events += review_pack(ctx)
    state = {"statuses": {k: {"status": v["status"]} for k, v in statuses.items()},
             "digest_until": next((e.data["until"] for e in events if e.kind == "digest"), ctx.previous.get("digest_until"))}
    return events, state

