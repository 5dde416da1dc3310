"""The `kpi` command: ingest, export, status, progress, report, comment, demo, user, catalog.

Exit codes: 0 everything asked for succeeded, 1 a file was rejected (or the warehouse was
busy), 2 a usage or configuration error. Errors say what to do next.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from pipelines.catalog import CatalogError, load_catalog
from pipelines.settings import SAMPLE_DIR, Settings, SettingsError, load_settings
from pipelines.warehouse.schema import SchemaTooNewError
from pipelines.warehouse.store import WarehouseBusyError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def _print_outcomes(outcomes, lang: str, as_json: bool, detail_lines: int = 20) -> int:
    from pipelines.problems import format_problem

    if as_json:
        counts = {s: sum(o.status == s for o in outcomes) for s in ("loaded", "duplicate", "rejected")}
        print(json.dumps({"files": [o.to_json(lang) for o in outcomes], **counts}, ensure_ascii=False, indent=2))
    else:
        if not outcomes:
            print("no files to ingest" if lang == "en" else "không có tệp nào để nạp")
        for o in outcomes:
            print(o.summary_line(lang))
            if o.status == "rejected":
                for p in o.problems[1:detail_lines]:
                    print("    " + format_problem(p, o.file_name, lang))
                if o.problem_count > detail_lines:
                    print(f"    ... {o.problem_count - detail_lines} more" if lang == "en" else f"    ... và {o.problem_count - detail_lines} lỗi khác")
                print(("    report: " if lang == "en" else "    báo cáo: ") + str(o.report_path))
    return EXIT_REJECTED if any(o.status == "rejected" for o in outcomes) else EXIT_OK


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.ingest import ingest

    lang = args.lang or settings.language
    outcomes = ingest([Path(p) for p in args.paths] or None, settings, lang=lang)
    return _print_outcomes(outcomes, lang, args.json)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.ingest import ingest

    lang = args.lang or settings.language
    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    copied = []
    for sample in sorted(SAMPLE_DIR.glob("*.csv")):
        target = settings.inbox_dir / sample.name
        shutil.copyfile(sample, target)
        copied.append(target)
    outcomes = ingest(copied, settings, lang=lang)
    return _print_outcomes(outcomes, lang, args.json)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.export import export_csv

    if args.indicator:
        catalog = load_catalog(settings.catalog_dir)
        if args.indicator not in catalog.indicators:
            print(f"kpi export: unknown indicator {args.indicator!r}; known: {', '.join(catalog.indicators)}", file=sys.stderr)
            return EXIT_USAGE
    text = export_csv(settings.warehouse_path, args.indicator)
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
    from pipelines.status import load_history, reporter_freshness

    loads = load_history(settings.warehouse_path, args.limit)
    fresh = reporter_freshness(settings.warehouse_path)
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
              f" {row['observations']:>7} values  last load {row['last_load'] or '-'}")
    return EXIT_OK


def cmd_progress(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.periods import parse_period
    from pipelines.series import assess_catalog, headline_rows, headline_series, read_catalog
    from pipelines.warehouse.store import open_reader

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
        series = headline_series(catalog, headline_rows(con, args.indicator))
    results = [
        a for code, items in assess_catalog(catalog, series, as_of).items()
        if not args.indicator or code == args.indicator for a in items
    ]
    if args.json:
        print(json.dumps([a.as_dict() for a in results], ensure_ascii=False, indent=2))
        return EXIT_OK
    num = lambda v, spec=".4g": "-" if v is None else format(v, spec)  # noqa: E731
    header = ("indicator", "horizon", "status", "method", "baseline", "latest", "target", "r_obs", "r_req", "R", "needed/yr")
    lines = [header]
    for a in results:
        lines.append((
            a.indicator, str(a.horizon), a.status or "-", a.method or "-",
            f"{num(a.baseline_value)} ({a.baseline_period or '-'})", f"{num(a.latest_value)} ({a.latest_period or '-'})",
            num(a.target) + (" *" if a.target_source == "illustrative" else ""),
            num(a.observed_rate, ".3f"), num(a.required_rate, ".3f"), num(a.ratio, ".2f"), num(a.needed_rate, ".3f"),
        ))
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    for row in lines:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    print(f"\nas of {as_of or 'latest data'}; * illustrative target; rates per year (compound: share, linear: units)")
    return EXIT_OK


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
    generated_at = _generated_at(args.generated_at)
    if generated_at is None:
        print(f"kpi report: cannot read --generated-at {args.generated_at!r}; write e.g. 2026-12-03T08:00 (UTC)", file=sys.stderr)
        return EXIT_USAGE
    written = write_report(settings.warehouse_path, quarter, lang, Path(args.out), generated_at)
    print(f"wrote {len(written)} panels, review.pdf and index.html to {args.out}")
    return EXIT_OK


def cmd_comment(args: argparse.Namespace, settings: Settings) -> int:
    import getpass

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
    try:
        new_id = write_commentary(settings.warehouse_path, catalog, entry, settings.lock_timeout_s)
    except CommentaryError as exc:
        print(f"kpi comment: {exc}\nNothing was written; fix the option named and run the command again.", file=sys.stderr)
        return EXIT_USAGE
    print(f"stored commentary #{new_id} for {entry.indicator.upper()} {args.quarter} ({args.lang}); "
          "earlier versions are kept")
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


def cmd_catalog(args: argparse.Namespace, settings: Settings) -> int:
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
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("status", help="loads so far and the latest period per reporter",
                       description="The load log (newest first) and how fresh each reporter's data is.")
    p.add_argument("--limit", type=int, default=50, help="how many loads to list (default 50)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("progress", help="status of each indicator toward its 2030 and 2045 targets",
                       description="Baseline, latest value, observed and required rates and the status per indicator and horizon.")
    p.add_argument("--as-of", metavar="PERIOD", help="use only observations up to this period, e.g. 2026-Q2")
    p.add_argument("--indicator", metavar="CODE", help="only this indicator")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per indicator and horizon")
    p.set_defaults(func=cmd_progress)

    p = sub.add_parser("report", help="render the quarterly review to PNG, PDF and HTML files",
                       description="One 16:9 PNG per panel (summary, what changed, one per indicator), review.pdf "
                       "(a cover, then one vector slide per panel, text searchable) and index.html, as of the quarter given. "
                       "A quarter not over at --generated-at is labelled 'data to date'. Same data, quarter and "
                       "--generated-at (or SOURCE_DATE_EPOCH) give identical files.")
    p.add_argument("--quarter", required=True, metavar="YYYY-Qn", help="the quarter to review, e.g. 2026-Q3")
    p.add_argument("--lang", choices=["vi", "en"], help="language (default: KPI_LANGUAGE)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the files into")
    p.add_argument("--generated-at", metavar="ISO-TIME",
                   help="the time printed on the cover, UTC (default: SOURCE_DATE_EPOCH if set, else now)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("comment", help="write an indicator's commentary for a quarter (a new version)",
                       description="What happened, the challenges, the next steps and the owning unit, for one "
                       "indicator and quarter, in Vietnamese (required) or English. Stored in the warehouse as a new "
                       "version; earlier versions are kept. Shown on the indicator and review pages and in `kpi report`.")
    p.add_argument("--indicator", required=True, metavar="CODE", help="indicator code, e.g. MISSIONS_ABROAD")
    p.add_argument("--quarter", required=True, metavar="YYYY-Qn", help="the quarter under review, e.g. 2026-Q4")
    p.add_argument("--owner", required=True, metavar="UNIT", help="the unit answerable, a reporter code of the catalog, e.g. MOFA")
    p.add_argument("--happened", required=True, metavar="TEXT", help="what happened in the quarter and why")
    p.add_argument("--challenges", metavar="TEXT", help="what stands in the way")
    p.add_argument("--next-steps", metavar="TEXT", help="what will be done next, and by when")
    p.add_argument("--lang", choices=["vi", "en"], default="vi", help="the language the text is in (default: vi)")
    p.add_argument("--author", metavar="NAME", help="who wrote it (default: the login name)")
    p.set_defaults(func=cmd_comment)

    p = sub.add_parser("user", help="manage the dashboard's built-in accounts (viewer, analyst)",
                       description="Accounts for the built-in login, kept in KPI_USERS_FILE (default .streamlit/users.toml) "
                       "as salted scrypt hashes. Not needed when an OpenID Connect provider is configured.")
    user_sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = user_sub.add_parser("add", help="add a user or change a user's role/password",
                            description="Prompts for the password twice (or reads one line with --password-stdin).")
    q.add_argument("name", help="user name (letters, digits, . _ @ -)")
    q.add_argument("--role", choices=["viewer", "analyst"], default="viewer", help="viewer (default) or analyst")
    q.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    q.set_defaults(func=cmd_user)
    q = user_sub.add_parser("remove", help="remove a user", description="Remove a user from the users file.")
    q.add_argument("name", help="user name")
    q.set_defaults(func=cmd_user)
    q = user_sub.add_parser("list", help="list users and roles", description="List user names and roles (never hashes).")
    q.set_defaults(func=cmd_user)

    p = sub.add_parser("catalog", help="validate the catalog files",
                       description="Check data/catalog/*.csv (or KPI_CATALOG_DIR) and report every problem with file, line and field.")
    p.set_defaults(func=cmd_catalog)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        return args.func(args, settings)
    except SettingsError as exc:
        print(f"kpi: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CatalogError as exc:
        print(f"kpi: {exc}\nFix the catalog files and run the command again.", file=sys.stderr)
        return EXIT_USAGE
    except WarehouseBusyError as exc:
        print(f"kpi: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    except BrokenPipeError:  # `kpi export | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except SchemaTooNewError as exc:
        print(f"kpi: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - a usage problem surfacing from deeper code
        from pipelines.ingest import UsageError

        if isinstance(exc, UsageError):
            print(f"kpi {args.command}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        raise


if __name__ == "__main__":
    sys.exit(main())
