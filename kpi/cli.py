"""The `kpi` command: ingest, watch, notify, export, status, progress, report, comment, demo, user,
catalog, and sign-off (pending, approve, unapprove, close, reopen, audit: kpi/signoff.py).

Exit codes: 0 everything asked for succeeded, 1 a file was rejected (or the warehouse was
busy), 2 a usage or configuration error. Errors say what to do next.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

# Only what parsing the command line needs is imported here: pydantic, Polars and DuckDB are
# imported by the command that uses them (`kpi --help` takes a twentieth of the time).
if TYPE_CHECKING:
    from pipelines.settings import Settings

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def _print_plan(o, lang: str, detail_lines: int) -> None:
    """Under a file's line: its warnings (always), and for a dry run the revisions and status moves."""
    from pipelines.load_plan import breakdown_text

    plan = o.plan
    if plan is None:
        return
    en = lang == "en"
    total = "total" if en else "tổng"
    bd = lambda b: total if b == "{}" else breakdown_text(b)  # noqa: E731
    for w in plan.warnings[:detail_lines]:
        where = (f"row {w.row}" if en else f"dòng {w.row}") if w.row is not None else ""
        if w.params.get("cell"):  # a workbook's cell as Excel shows it, e.g. Sheet1!D14
            where = f"{w.params['cell']}, {where}"
        print(f"    {'warning' if en else 'cảnh báo'}  {o.file_name}, {where}: {w.indicator} {w.reporter} {w.period} "
              f"({bd(w.breakdown)}): {w.message(lang)}")
    if len(plan.warnings) > detail_lines:
        print(f"    ... {len(plan.warnings) - detail_lines} more warning(s)" if en else f"    ... và {len(plan.warnings) - detail_lines} cảnh báo khác")
    if plan.checks_skipped:
        from pipelines.load_plan import MAX_CHECKED_ROWS

        print(f"    plausibility checks skipped: more than {MAX_CHECKED_ROWS:,} rows" if en
              else f"    bỏ qua kiểm tra tính hợp lý: hơn {MAX_CHECKED_ROWS:,} dòng".replace(",", "."))
    if not o.dry_run:
        return
    for r in plan.revisions[:detail_lines]:
        print(f"    {'revised' if en else 'sửa đổi'}  {r.indicator} {r.reporter} {r.period} ({bd(r.breakdown)}): "
              f"{r.old_text(lang)} → {r.new_text(lang)}  ({(r.cell + ', ') if r.cell else ''}{'row' if en else 'dòng'} {r.row})")
    if plan.revised > min(len(plan.revisions), detail_lines):
        print(f"    ... {plan.revised - min(len(plan.revisions), detail_lines)} more revision(s)" if en
              else f"    ... và {plan.revised - min(len(plan.revisions), detail_lines)} giá trị sửa đổi khác")
    for m in plan.status_moves:
        def st(status, period):
            return f"{status or '-'} ({period or '-'})"
        print(f"    {'status' if en else 'trạng thái'}  {m.indicator} {m.horizon}: {st(m.before, m.before_period)} → {st(m.after, m.after_period)}")


def _print_outcomes(outcomes, lang: str, as_json: bool, detail_lines: int = 20) -> int:
    from pipelines.problems import format_problem

    dry = any(o.dry_run for o in outcomes)
    if as_json:
        counts = {s: sum(o.status == s for o in outcomes) for s in ("loaded", "duplicate", "rejected", "held")}
        counts["dry_run"] = dry
        print(json.dumps({"files": [o.to_json(lang) for o in outcomes], **counts}, ensure_ascii=False, indent=2))
    else:
        if not outcomes:
            print("no files to ingest" if lang == "en" else "không có tệp nào để nạp")
        for o in outcomes:
            print(o.summary_line(lang))
            _print_plan(o, lang, detail_lines)
            if o.status == "rejected" and o.dry_run:
                for p in o.problems[1:detail_lines]:
                    print("    " + format_problem(p, o.file_name, lang))
            elif o.status == "rejected":
                for p in o.problems[1:detail_lines]:
                    print("    " + format_problem(p, o.file_name, lang))
                if o.problem_count > detail_lines:
                    print(f"    ... {o.problem_count - detail_lines} more" if lang == "en" else f"    ... và {o.problem_count - detail_lines} lỗi khác")
                print(("    report: " if lang == "en" else "    báo cáo: ") + str(o.report_path))
        if dry:
            print("dry run: nothing was written and every file stays where it is" if lang == "en"
                  else "chạy thử: không ghi gì, mọi tệp vẫn ở chỗ cũ")
    return EXIT_REJECTED if any(o.status in ("rejected", "held") for o in outcomes) else EXIT_OK


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.ingest import ingest

    lang = args.lang or settings.language
    by = None
    if args.accept_warnings:
        import getpass

        by = args.by or getpass.getuser()
    outcomes = ingest([Path(p) for p in args.paths] or None, settings, lang=lang, dry_run=args.dry_run, acknowledged_by=by,
                      actor=args.actor)
    return _print_outcomes(outcomes, lang, args.json)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.ingest import ingest
    from pipelines.settings import SAMPLE_DIR

    lang = args.lang or settings.language
    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    copied = []
    for sample in sorted(SAMPLE_DIR.glob("*.csv")):
        target = settings.inbox_dir / sample.name
        shutil.copyfile(sample, target)
        copied.append(target)
    from pipelines.signoff import SAMPLE_ANALYST, demo_signoff

    outcomes = ingest(copied, settings, lang=lang, actor=SAMPLE_ANALYST)
    code = _print_outcomes(outcomes, lang, args.json)
    approved = demo_signoff(settings)
    if approved and not args.json:
        print(f"sample sign-off: {approved} reporter-periods approved, HAIPHONG 2026-Q3 left waiting, 2026-Q2 closed"
              if lang == "en" else
              f"phê duyệt mẫu: {approved} cặp đơn vị-kỳ đã duyệt, HAIPHONG 2026-Q3 còn chờ, quý 2026-Q2 đã khóa sổ")
    return code


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.catalog import load_catalog
    from pipelines.read_model.export import export_csv

    if args.indicator:
        catalog = load_catalog(settings.catalog_dir)
        if args.indicator not in catalog.indicators:
            print(f"kpi export: unknown indicator {args.indicator!r}; known: {', '.join(catalog.indicators)}", file=sys.stderr)
            return EXIT_USAGE
    from pipelines.read_model.visibility import default_view

    text = export_csv(settings.warehouse_path, args.indicator, default_view(settings, args.include_pending))
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"wrote {text.count(chr(10)) - 1} rows to {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.problems import printable
    from pipelines.read_model.loads import load_history
    from pipelines.read_model.receipts import reporter_freshness

    loads = load_history(settings.warehouse_path, args.limit)
    from pipelines.read_model.visibility import default_view

    fresh = reporter_freshness(settings.warehouse_path, default_view(settings, args.include_pending))
    if args.json:
        print(json.dumps({"warehouse": str(settings.warehouse_path), "loads": loads, "reporters": fresh}, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not settings.warehouse_path.exists():
        print(f"no warehouse yet at {settings.warehouse_path}; run `kpi demo` or `kpi ingest FILE`")
        return EXIT_OK
    print(f"warehouse: {settings.warehouse_path}\n\nloads (newest first):")
    for row in loads:
        print(f"  #{row['load_id']:<5} {row['received_at']}  {row['status']:<9} {row['rows_loaded']:>8} rows  {printable(row['file_name'])}")
    print("\nlatest period per reporter:")
    for row in fresh:
        print(f"  {row['reporter']:<9} quarter {row['latest_quarter'] or '-':<8} year {row['latest_year'] or '-':<5}"
              f" {row['observations']:>7} values  last load {row['last_load'] or '-'}"
              + (f"  {row['pending']} waiting for approval (kpi pending)" if row['pending'] and settings.approval_on else ""))
    if settings.approval_on:
        print("\n(approved values; --include-pending counts values waiting for approval)" if not args.include_pending
              else "\n(including values waiting for approval)")
    return EXIT_OK


def cmd_progress(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.periods import parse_period
    from pipelines.read_model.catalog import read_catalog
    from pipelines.read_model.headline import assess_catalog, headline_coverage, headline_rows, headline_series
    from pipelines.read_model.visibility import APPROVED, default_view
    from pipelines.warehouse.store import open_reader

    view = default_view(settings, args.include_pending)

    as_of = None
    if args.as_of:
        as_of = parse_period(args.as_of)
        if as_of is None:
            print(f"kpi progress: cannot read --as-of {args.as_of!r}; write YYYY or YYYY-Qn, e.g. 2026-Q2", file=sys.stderr)
            return EXIT_USAGE
    with open_reader(settings.warehouse_path) as con:
        if con is None:
            print(f"kpi progress: no warehouse yet at {settings.warehouse_path}; run `kpi demo` or `kpi ingest`", file=sys.stderr)
            return EXIT_USAGE
        catalog = read_catalog(con)
        if args.indicator and args.indicator not in catalog.indicators:
            print(f"kpi progress: unknown indicator {args.indicator!r}; known: {', '.join(catalog.indicators)}", file=sys.stderr)
            return EXIT_USAGE
        rows = headline_rows(con, args.indicator, view)
        series = headline_series(catalog, rows)
        coverage = headline_coverage(catalog, rows)
    results = [
        a for code, items in assess_catalog(catalog, series, as_of, coverage).items()
        if not args.indicator or code == args.indicator for a in items
    ]
    # Provisional totals (an expected reporter missing) up to as-of, newest last: said beside the statuses.
    from pipelines.progress import period_le, period_time

    pending = {
        code: [c for p, c in sorted(cov.items(), key=lambda kv: period_time(kv[0])) if not c.complete and (as_of is None or period_le(p, as_of))]
        for code, cov in coverage.items() if not args.indicator or code == args.indicator
    }
    pending = {code: items for code, items in pending.items() if items}
    if args.json:
        out = []
        for a in results:
            d = a.as_dict()
            d["provisional"] = [{"period": c.period, "reported": list(c.reported), "expected": list(c.expected),
                                 "missing": list(c.missing)} for c in pending.get(a.indicator, [])]
            out.append(d)
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return EXIT_OK
    num = lambda v, spec=".4g": "-" if v is None else format(v, spec)  # noqa: E731
    lang = args.lang or settings.language
    header, status, method = _progress_words(lang)
    lines = [header]
    for a in results:
        lines.append((
            a.indicator, str(a.horizon), status(a.status), method(a.method),
            f"{num(a.baseline_value)} ({a.baseline_period or '-'})", f"{num(a.latest_value)} ({a.latest_period or '-'})",
            num(a.target) + (" *" if a.target_source == "illustrative" else ""),
            num(a.observed_rate, ".3f"), num(a.required_rate, ".3f"), num(a.ratio, ".2f"), num(a.needed_rate, ".3f"),
        ))
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    for row in lines:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    if lang == "vi":
        shown = "chỉ số liệu đã phê duyệt" if view == APPROVED else "kể cả số liệu chờ phê duyệt"
        print(f"\ntính đến {as_of or 'số liệu mới nhất'}; {shown}; * mục tiêu minh họa; tốc độ mỗi năm "
              "(compound: tỷ lệ, linear: đơn vị)")
    else:
        shown = "approved values only" if view == APPROVED else "including values waiting for approval"
        print(f"\nas of {as_of or 'latest data'}; {shown}; * illustrative target; rates per year (compound: share, linear: units)")
    if pending:
        print("\nprovisional totals (an expected reporter is missing; statuses use the latest complete period):" if lang == "en"
              else "\nsố tổng hợp tạm tính (thiếu đơn vị báo cáo; trạng thái dựa trên kỳ đầy đủ gần nhất):")
        for code, items in pending.items():
            for c in items:
                print(f"  {code} {c.period}: {c.label(lang)}; {'missing' if lang == 'en' else 'thiếu'} {', '.join(c.missing)}")
    return EXIT_OK


def _progress_words(lang: str):
    """The progress table's header and how it writes a status and a method: the codes in English
    (scripts grep for `on_track`), the dashboard's own words in Vietnamese."""
    header = ("indicator", "horizon", "status", "method", "baseline", "latest", "target", "r_obs", "r_req", "R", "needed/yr")
    if lang != "vi":
        return header, (lambda code: code or "-"), (lambda code: code or "-")
    from dashboard.strings import STRINGS

    def word(prefix: str, code: str | None) -> str:
        return STRINGS.get(f"{prefix}_{code}", {}).get("vi", code) if code else "-"

    header = ("chỉ tiêu", "mốc", "trạng thái", "phương pháp", "kỳ gốc", "mới nhất", "mục tiêu", "r_obs", "r_req", "R", "cần/năm")
    return header, (lambda code: word("status", code)), (lambda code: word("method", code))


def _generated_at(value: str | None):
    """The pack's "generated at" (UTC): --generated-at, else SOURCE_DATE_EPOCH (reproducible builds), else now.
    None if --generated-at cannot be read."""
    import os
    from datetime import datetime, timezone

    if value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    return datetime.now(timezone.utc)


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.periods import is_quarter, parse_period

    quarter = parse_period(args.quarter)
    if quarter is None or not is_quarter(quarter):
        print(f"kpi report: cannot read --quarter {args.quarter!r}; write YYYY-Qn, e.g. 2026-Q3", file=sys.stderr)
        return EXIT_USAGE
    if not settings.warehouse_path.exists():
        print(f"kpi report: no warehouse yet at {settings.warehouse_path}; run `kpi demo` or `kpi ingest` first", file=sys.stderr)
        return EXIT_USAGE
    # The review's panels are the dashboard's own builders: one picture on screen and on paper.
    from dashboard.report import write_report

    lang = args.lang or settings.language
    from pipelines.read_model.visibility import default_view

    generated_at = _generated_at(args.generated_at)
    if generated_at is None:
        print(f"kpi report: cannot read --generated-at {args.generated_at!r}; write e.g. 2026-12-03T08:00 (UTC)", file=sys.stderr)
        return EXIT_USAGE
    written = write_report(settings.warehouse_path, quarter, lang, Path(args.out), default_view(settings, args.include_pending),
                           generated_at, approval_on=settings.approval_on)
    print(f"wrote {len(written)} panels, review.pdf and index.html to {args.out}")
    return EXIT_OK


def cmd_comment(args: argparse.Namespace, settings: Settings) -> int:
    import getpass

    from pipelines.catalog import load_catalog
    from pipelines.commentary import Commentary, CommentaryError, write_commentary

    if not settings.warehouse_path.exists():
        print(f"kpi comment: no warehouse yet at {settings.warehouse_path}; run `kpi demo` or `kpi ingest` first", file=sys.stderr)
        return EXIT_USAGE
    catalog = load_catalog(settings.catalog_dir)
    entry = Commentary(
        indicator=args.indicator, quarter=args.quarter, owner=args.owner, happened=args.happened,
        challenges=args.challenges or "", next_steps=args.next_steps or "", lang=args.lang,
        author=args.author or getpass.getuser(),
    )
    from pipelines.warehouse.store import WarehouseBusyError

    try:
        new_id = write_commentary(settings.warehouse_path, catalog, entry, settings.lock_timeout_s)
    except CommentaryError as exc:
        if any(i.code == "closed_quarter" for i in exc.issues):  # refused by sign-off, not a typing error
            print(f"kpi comment: {exc}\nNothing was written.", file=sys.stderr)
            return EXIT_REJECTED
        print(f"kpi comment: {exc}\nNothing was written; fix the option named and run the command again.", file=sys.stderr)
        return EXIT_USAGE
    except WarehouseBusyError as exc:
        print(f"kpi comment: {exc}\nNothing was written.", file=sys.stderr)
        return EXIT_REJECTED
    waits = (f" Leaders see it once approved: kpi approve --commentary --period {args.quarter} --indicator {entry.indicator.upper()}"
             if settings.approval_on else "")
    print(f"stored commentary #{new_id} for {entry.indicator.upper()} {args.quarter} ({args.lang}); "
          f"earlier versions are kept.{waits}")
    return EXIT_OK


def cmd_user(args: argparse.Namespace, settings: Settings) -> int:
    import getpass

    from pipelines.users import UsersError, add_user, read_users, remove_user

    path = settings.users_file
    try:
        if args.action == "add":
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = getpass.getpass(f"password for {args.name}: ")
                if getpass.getpass("again: ") != password:
                    print("kpi user add: the two passwords differ; nothing written", file=sys.stderr)
                    return EXIT_USAGE
            account = add_user(path, args.name, args.role, password)
            print(f"{account.name} ({account.role}) saved in {path}")
        elif args.action == "remove":
            remove_user(path, args.name)
            print(f"{args.name} removed from {path}")
        else:
            for account in read_users(path).values():
                print(f"{account.name:<24} {account.role}")
    except UsersError as exc:
        print(f"kpi user {args.action}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    import logging
    import signal

    from pipelines.watch import InboxWatcher

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%Y-%m-%d %H:%M:%S",
                        stream=sys.stderr, force=True)
    settle = args.settle if args.settle is not None else settings.watch_settle_s
    if settle <= 0:
        print("kpi watch: --settle must be more than 0 seconds", file=sys.stderr)
        return EXIT_USAGE
    # A short wait per try: the watcher retries a busy warehouse itself instead of blocking.
    watch_settings = settings.model_copy(update={"lock_timeout_s": settings.watch_lock_timeout_s})
    after, periodic = _watch_notify_hooks(watch_settings, args.no_notify)
    watcher = InboxWatcher(watch_settings, settle_s=settle, retry_s=settings.watch_retry_s,
                           after_ingest=after, periodic=periodic, periodic_every_s=settings.watch_notify_every_s)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: watcher.stop())
    # The watcher runs for days: its collector back on (main turns it off for one-shot commands),
    # past the start-up's objects, which stay for good.
    gc.freeze()
    gc.enable()
    watcher.run()
    return EXIT_OK


def _watch_notify_hooks(settings: Settings, disabled: bool):
    """`kpi notify` after each load and now and then (deadlines), when notifications are configured."""
    if disabled or not settings.notifications_configured:
        return None, None
    import logging

    from pipelines.notify.ledger import NotifierBusyError
    from pipelines.notify.run import run_notify

    def notify(*_: object) -> None:
        try:
            run_notify(settings, render_pack=_review_pack_renderer(settings))
        except NotifierBusyError:
            logging.getLogger("kpi.watch").info("kpi notify is already running; it will send what is due")

    return notify, notify


def _review_pack_renderer(settings: Settings):
    """The app's review-pack renderer, for `kpi notify` to attach the quarter's PDF (the library
    does not import the app; the command, above both, hands it over). Leaders get the view they
    would see: approved figures, or every figure where sign-off is off."""
    from functools import partial

    from dashboard.report import write_report
    from pipelines.read_model.visibility import default_view

    return partial(write_report, view=default_view(settings), approval_on=settings.approval_on)


def cmd_notify(args: argparse.Namespace, settings: Settings) -> int:
    import datetime as dt
    import logging

    from pipelines.notify.ledger import NotifierBusyError
    from pipelines.notify.run import run_notify

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s", stream=sys.stderr, force=True)
    if not settings.notifications_configured:
        print("kpi notify: nothing to send with: set KPI_SMTP_HOST (and KPI_NOTIFY_ANALYSTS, KPI_NOTIFY_LEADERS) "
              "or KPI_NOTIFY_WEBHOOK_URL; see README", file=sys.stderr)
        return EXIT_USAGE
    today = None
    if args.today:
        try:
            today = dt.date.fromisoformat(args.today)
        except ValueError:
            print(f"kpi notify: cannot read --today {args.today!r}; write YYYY-MM-DD", file=sys.stderr)
            return EXIT_USAGE
    try:
        outcome = run_notify(settings, dry_run=args.dry_run, today=today, render_pack=_review_pack_renderer(settings))
    except NotifierBusyError as exc:
        print(f"kpi notify: {exc}", file=sys.stderr)
        return EXIT_OK
    rows = [("would send" if args.dry_run else "queued", d) for d in outcome.planned] if args.dry_run else []
    rows += [("sent", d) for d in outcome.sent] + [("failed", d) for d in outcome.failed] + [("gave up", d) for d in outcome.gave_up]
    if args.json:
        print(json.dumps([{"result": r, "key": d.key, "kind": d.kind, "channel": d.channel, "to": d.to, "language": d.lang,
                           "subject": d.subject, "attachments": [a["name"] for a in d.attachments],
                           **({"error": d.error} if d.error else {})} for r, d in rows], ensure_ascii=False, indent=2))
    else:
        for result, d in rows:
            extra = f"  ({d.error})" if d.error and result != "sent" else ""
            print(f"{result:<10} {d.channel:<7} {d.to:<32} {d.key}  {d.subject}{extra}")
            if args.dry_run and args.verbose:
                print("    " + d.body.replace("\n", "\n    "))
        if not rows:
            print("nothing to send")
    return EXIT_REJECTED if outcome.gave_up else EXIT_OK


def cmd_catalog(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.catalog import load_catalog

    catalog = load_catalog(settings.catalog_dir)
    print(f"catalog OK: {len(catalog.indicators)} indicators, {len(catalog.reporters)} reporters, "
          f"{len(catalog.pillars)} pillars ({settings.catalog_dir})")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kpi",
        description="KPI pipeline for the diplomatic-sector plan (Resolution 292/NQ-CP). "
        "Settings come from KPI_* environment variables or a .env file.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("ingest", help="validate and load files (default: every file in the inbox)",
                       description="Validate each file and load it in one transaction, or reject it whole with a report. "
                       "Loaded files move to archive/, rejected ones to rejected/ beside a report.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: <data dir>/inbox)")
    p.add_argument("--json", action="store_true", help="print a machine-readable summary")
    p.add_argument("--lang", choices=["vi", "en"], help="language of messages (default: KPI_LANGUAGE)")
    p.add_argument("--dry-run", action="store_true",
                   help="show per file what a load would change (new, revised old -> new, unchanged, duplicates, "
                   "warnings, status moves); write nothing and move no file")
    p.add_argument("--accept-warnings", action="store_true",
                   help="load files with plausibility warnings and record who acknowledged them; without it such "
                   "a file is held back (nothing loaded, the file stays in the inbox)")
    p.add_argument("--by", metavar="NAME", help="who acknowledges the warnings (default: the login name)")
    p.add_argument("--as", dest="actor", metavar="NAME", help="who loads, for the audit log (default: the OS user)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("demo", help="load the sample data through the normal ingest path",
                       description="Copy data/sample/*.csv into the inbox and ingest them; running it again finds duplicates.")
    p.add_argument("--json", action="store_true", help="print a machine-readable summary")
    p.add_argument("--lang", choices=["vi", "en"], help="language of messages")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("export", help="write current values in the reporters' template",
                       description="Current values as CSV in the template of the data contract; re-ingestable.")
    p.add_argument("--indicator", metavar="CODE", help="only this indicator")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--include-pending", action="store_true", help="also values waiting for approval (default: approved only)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("status", help="loads so far and the latest period per reporter",
                       description="The load log (newest first) and how fresh each reporter's data is.")
    p.add_argument("--limit", type=int, default=50, help="how many loads to list (default 50)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--include-pending", action="store_true", help="count values waiting for approval too")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("progress", help="status of each indicator toward its 2030 and 2045 targets",
                       description="Baseline, latest value, observed and required rates and the status per indicator and horizon.")
    p.add_argument("--as-of", metavar="PERIOD", help="use only observations up to this period, e.g. 2026-Q2")
    p.add_argument("--indicator", metavar="CODE", help="only this indicator")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per indicator and horizon")
    p.add_argument("--include-pending", action="store_true", help="also values waiting for approval (default: approved only)")
    p.add_argument("--lang", choices=["vi", "en"], help="language of the table and the notes under it (default: KPI_LANGUAGE)")
    p.set_defaults(func=cmd_progress)

    p = sub.add_parser("report", help="render the quarterly review to PNG, PDF and HTML files",
                       description="One 16:9 PNG per panel (summary, what changed, one per indicator), review.pdf "
                       "(a cover, then one vector slide per panel, text searchable) and index.html, as of the quarter given. "
                       "A quarter not over at --generated-at is labelled 'data to date'. Same data, quarter and "
                       "--generated-at (or SOURCE_DATE_EPOCH) give identical files.")
    p.add_argument("--quarter", required=True, metavar="YYYY-Qn", help="the quarter to review, e.g. 2026-Q3")
    p.add_argument("--lang", choices=["vi", "en"], help="language (default: KPI_LANGUAGE)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the files into")
    p.add_argument("--include-pending", action="store_true", help="also values waiting for approval (default: approved only)")
    p.add_argument("--generated-at", metavar="ISO-TIME",
                   help="the time printed on the cover, UTC (default: SOURCE_DATE_EPOCH if set, else now)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("comment", help="write an indicator's commentary for a quarter (a new version)",
                       description="What happened, the challenges, the next steps and the owning unit, for one "
                       "indicator and quarter, in Vietnamese (required) or English. Stored in the warehouse as a new "
                       "version; earlier versions are kept. With sign-off on it waits for an approver (kpi approve --commentary) "
                       "before leaders see it; a closed quarter takes none. Shown on the indicator and review pages and in `kpi report`.")
    p.add_argument("--indicator", required=True, metavar="CODE", help="indicator code, e.g. MISSIONS_ABROAD")
    p.add_argument("--quarter", required=True, metavar="YYYY-Qn", help="the quarter under review, e.g. 2026-Q4")
    p.add_argument("--owner", required=True, metavar="UNIT", help="the unit answerable, a reporter code of the catalog, e.g. MOFA")
    p.add_argument("--happened", required=True, metavar="TEXT", help="what happened in the quarter and why")
    p.add_argument("--challenges", metavar="TEXT", help="what stands in the way")
    p.add_argument("--next-steps", metavar="TEXT", help="what will be done next, and by when")
    p.add_argument("--lang", choices=["vi", "en"], default="vi", help="the language the text is in (default: vi)")
    p.add_argument("--author", metavar="NAME", help="who wrote it (default: the login name)")
    p.set_defaults(func=cmd_comment)

    p = sub.add_parser("user", help="manage the dashboard's built-in accounts (viewer, analyst, approver)",
                       description="Accounts for the built-in login, kept in KPI_USERS_FILE (default users.toml in KPI_CONFIG_DIR, the project's .streamlit/) "
                       "as salted scrypt hashes. Not needed when an OpenID Connect provider is configured.")
    user_sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = user_sub.add_parser("add", help="add a user or change a user's role/password",
                            description="Prompts for the password twice (or reads one line with --password-stdin).")
    q.add_argument("name", help="user name (letters, digits, . _ @ -)")
    q.add_argument("--role", choices=["viewer", "analyst", "approver"], default="viewer", help="viewer (default), analyst or approver")
    q.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    q.set_defaults(func=cmd_user)
    q = user_sub.add_parser("remove", help="remove a user", description="Remove a user from the users file.")
    q.add_argument("name", help="user name")
    q.set_defaults(func=cmd_user)
    q = user_sub.add_parser("list", help="list users and roles", description="List user names and roles (never hashes).")
    q.set_defaults(func=cmd_user)

    p = sub.add_parser("watch", help="watch the inbox and ingest each file once it is complete",
                       description="Runs until SIGTERM or Ctrl-C. Each file dropped into <data dir>/inbox is ingested as "
                       "`kpi ingest` would, once its writer has closed it (or it stayed unchanged for --settle seconds); "
                       "temporary and partial names (.x, ~$x, *.part, *.tmp, *.crdownload) are ignored. Files already in "
                       "the inbox are taken at start. One log line per file on standard error.")
    p.add_argument("--settle", type=float, metavar="SECONDS", help="quiet time that makes a file complete (default: KPI_WATCH_SETTLE_S)")
    p.add_argument("--no-notify", action="store_true", help="do not run `kpi notify` after loads")
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("notify", help="send notifications for new events (e-mail, webhook), once each",
                       description="Finds what is new since the last run: files rejected (to the reporter's contacts, report "
                       "attached) or loaded with warnings, files waiting in the inbox, reports missing at their deadline and the "
                       "day's digest (to KPI_NOTIFY_ANALYSTS), statuses that worsened and the quarter's review pack (to "
                       "KPI_NOTIFY_LEADERS); records each in <data dir>/notify/ledger.jsonl and sends it once. Failed sends "
                       "are retried on later runs. Run by `kpi watch` after each load, and by a timer.")
    p.add_argument("--dry-run", action="store_true", help="show what would be sent; send and record nothing")
    p.add_argument("--verbose", action="store_true", help="with --dry-run, print each message's text too")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="judge deadlines as at the end of this local day (default: now)")
    p.add_argument("--json", action="store_true", help="print a JSON list of deliveries")
    p.set_defaults(func=cmd_notify)

    p = sub.add_parser("catalog", help="validate the catalog files",
                       description="Check data/catalog/*.csv (or KPI_CATALOG_DIR) and report every problem with file, line and field.")
    p.set_defaults(func=cmd_catalog)

    from kpi.signoff import add_signoff_commands

    add_signoff_commands(sub)
    return parser


def _loaded_error(exc: BaseException, module: str, name: str) -> bool:
    """Whether `exc` is `module.name`, without importing the module: an error cannot come from a
    module never loaded (the warehouse's modules import DuckDB and the catalog's builds pydantic
    models, which `kpi user` never needs)."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(exc, getattr(loaded, name))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if argv is None:
        # Run as the `kpi` program: start-up builds about a million objects (pydantic's models,
        # Polars', DuckDB's) and frees almost none, and the garbage collector's passes over them
        # took ~60 ms of every command; a one-shot command leaves almost no cycles behind (898
        # objects in an ingest of a million rows). A long-running command (`kpi watch`) turns the
        # collector back on. (A caller passing `argv`, as the tests do, keeps its collector.)
        gc.disable()
    from pipelines.settings import SettingsError, load_settings

    try:
        settings = load_settings()
        return args.func(args, settings)
    except SettingsError as exc:
        print(f"kpi: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `kpi export | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - a usage problem surfacing from deeper code
        if _loaded_error(exc, "pipelines.catalog", "CatalogError"):
            print(f"kpi: {exc}\nFix the catalog files and run the command again.", file=sys.stderr)
            return EXIT_USAGE
        if _loaded_error(exc, "pipelines.warehouse.store", "WarehouseBusyError"):
            print(f"kpi: {exc}", file=sys.stderr)
            return EXIT_REJECTED
        if _loaded_error(exc, "pipelines.warehouse.schema", "SchemaTooNewError"):
            print(f"kpi: {exc}", file=sys.stderr)
            return EXIT_USAGE
        from pipelines.ingest import UsageError

        if isinstance(exc, UsageError):
            print(f"kpi {args.command}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        raise
    finally:
        if argv is None:
            # Run as the `kpi` program, which ends now: its objects (Polars', DuckDB's and
            # pydantic's, by the hundred thousand) need no last garbage collection at exit, which
            # took about 0.1 s of every command.
            gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
