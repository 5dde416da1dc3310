"""The sign-off commands of `kpi`: pending, approve, unapprove, close, reopen, audit.

Kept apart from cli.py so the core commands stay short. Exit codes as elsewhere: 0 done,
1 refused (the message says why and what to do), 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from pipelines.periods import parse_period

if TYPE_CHECKING:
    from pipelines.settings import Settings

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def _fail(command: str, message: str, code: int) -> int:
    print(f"kpi {command}: {message}", file=sys.stderr)
    return code


def _period_or_none(text: str, quarter_only: bool) -> str | None:
    period = parse_period(text)
    if period is None or (quarter_only and "-Q" not in period):
        return None
    return period


def _sign_off(args: argparse.Namespace, settings: Settings, action) -> int:
    """Run one approve/unapprove/close/reopen with the checks every one of them shares."""
    from pipelines.signoff import SignoffError, approver_problem

    if args.command in ("approve", "unapprove") and not settings.approval_on:
        return _fail(args.command, "sign-off is off in this deployment (KPI_APPROVAL=off): every loaded value is "
                     "already shown; set KPI_APPROVAL=on to approve figures", EXIT_USAGE)
    problem = approver_problem(settings, args.actor)
    if problem:
        return _fail(args.command, problem, EXIT_REFUSED)
    try:
        decision = action()
    except SignoffError as exc:
        return _fail(args.command, str(exc), EXIT_REFUSED)
    if getattr(args, "json", False):
        print(json.dumps(decision.__dict__, ensure_ascii=False))
    else:
        what = {
            "approve": f"approved {decision.obj}: {decision.values} value(s) newly approved (loads up to #{decision.through_load})",
            "approve_commentary": f"approved the commentary for {decision.obj}: {decision.values} version(s); leaders read it from now on",
            "unapprove": f"sent {decision.obj} back to received",
            "unapprove_commentary": f"sent the commentary for {decision.obj} back: leaders no longer read it until it is approved again",
            "close": f"closed {decision.obj}: {decision.values} value(s) in periods up to {decision.obj} are frozen",
            "reopen": f"reopened {decision.obj}: its values can be revised again",
        }[decision.action]
        print(f"{what}; by {decision.actor} (recorded in `kpi audit`)")
    return EXIT_OK


def _decide(args: argparse.Namespace, settings: Settings, flag: str, act: Callable[[str], Any],
            reason_needed: str | None = None) -> int:
    """Read --period (YYYY or YYYY-Qn) or --quarter (YYYY-Qn), and --reason when `reason_needed`
    says why one is, then run `act(period)` through _sign_off: the argument checks every
    approve/unapprove/close/reopen shares, in one place."""
    text = getattr(args, flag)
    quarter_only = flag == "quarter"
    period = _period_or_none(text, quarter_only=quarter_only)
    if period is None:
        form = "YYYY-Qn" if quarter_only else "YYYY or YYYY-Qn"
        return _fail(args.command, f"cannot read --{flag} {text!r}; write {form}, e.g. 2026-Q3", EXIT_USAGE)
    if reason_needed and not (args.reason or "").strip():
        return _fail(args.command, f"say why with --reason \"...\": {reason_needed}", EXIT_USAGE)
    return _sign_off(args, settings, lambda: act(period))


def _figures_or_commentary(args: argparse.Namespace, figures: Callable[[], int], commentary: Callable[[], int],
                           no_reporter: str) -> int:
    """approve/unapprove: figures (--reporter, --period) or, with --commentary, an indicator's
    commentary for a quarter; the flags that belong to the other kind are refused."""
    if args.commentary:
        return commentary()
    if args.indicator:
        return _fail(args.command, "--indicator goes with --commentary (figures are approved per reporter and period)", EXIT_USAGE)
    if not args.reporter:
        return _fail(args.command, no_reporter, EXIT_USAGE)
    return figures()


def _commentary_decision(args: argparse.Namespace, settings: Settings, act: Callable[[str], Any], example: str,
                         indicator_required: bool = False, reason_needed: str | None = None) -> int:
    """Read --period as a quarter (commentary is per quarter), check --indicator and --reason as
    the command needs them, then run `act(quarter)` through _sign_off."""
    if args.reporter:
        return _fail(args.command, f"commentary is approved per indicator and quarter: drop --reporter ({example})", EXIT_USAGE)
    if indicator_required and not args.indicator:
        return _fail(args.command, "say whose commentary with --indicator CODE, e.g. MISSIONS_ABROAD", EXIT_USAGE)
    quarter = _period_or_none(args.period, quarter_only=True)
    if quarter is None:
        return _fail(args.command, f"cannot read --period {args.period!r}; commentary is per quarter: write YYYY-Qn, e.g. 2026-Q3",
                     EXIT_USAGE)
    if reason_needed and not (args.reason or "").strip():
        return _fail(args.command, f"say why with --reason \"...\": {reason_needed}", EXIT_USAGE)
    return _sign_off(args, settings, lambda: act(quarter))


def cmd_approve(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.commentary_signoff import approve_commentary
    from pipelines.signoff import approve

    return _figures_or_commentary(
        args,
        lambda: _decide(args, settings, "period", lambda period: approve(settings, args.reporter, period, args.actor)),
        lambda: _commentary_decision(args, settings, lambda q: approve_commentary(settings, q, args.indicator, args.actor),
                                     "kpi approve --commentary --period 2026-Q3 [--indicator CODE]"),
        "say whose figures with --reporter CODE (see `kpi pending`), or approve commentary with --commentary --period YYYY-Qn",
    )


def cmd_unapprove(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.commentary_signoff import unapprove_commentary
    from pipelines.signoff import unapprove

    return _figures_or_commentary(
        args,
        lambda: _decide(args, settings, "period",
                        lambda period: unapprove(settings, args.reporter, period, args.reason, args.actor),
                        reason_needed="the reporter reads it and the audit log keeps it"),
        lambda: _commentary_decision(args, settings,
                                     lambda q: unapprove_commentary(settings, q, args.indicator, args.reason, args.actor),
                                     "kpi unapprove --commentary --period 2026-Q3 --indicator CODE --reason \"...\"",
                                     indicator_required=True, reason_needed="the analyst reads it and the audit log keeps it"),
        "say whose figures with --reporter CODE, or send commentary back with --commentary --period YYYY-Qn --indicator CODE",
    )


def cmd_close(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.signoff import close_quarter

    return _decide(args, settings, "quarter", lambda quarter: close_quarter(settings, quarter, args.actor, args.reason))


def cmd_reopen(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.signoff import reopen_quarter

    return _decide(args, settings, "quarter", lambda quarter: reopen_quarter(settings, quarter, args.reason, args.actor),
                   reason_needed="reopening a closed quarter is kept in the audit log")


def _number(value: float | None) -> str:
    from pipelines.intake.numbers import format_number

    return "-" if value is None else format_number(value)


def cmd_pending(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.read_model.signoff import closed_list, pending_values

    if not settings.warehouse_path.exists():
        return _fail("pending", f"no warehouse yet at {settings.warehouse_path}; run `kpi demo` or `kpi ingest` first", EXIT_USAGE)
    from pipelines.commentary_signoff import waiting

    rows = pending_values(settings.warehouse_path, args.reporter)
    notes = [] if args.reporter else waiting(settings.warehouse_path)
    if args.json:
        print(json.dumps({"approval": settings.approval, "values": rows,
                          "commentary": [{"indicator": w.indicator, "quarter": w.quarter, "through": w.through,
                                          "versions": w.versions} for w in notes],
                          "closed": [c.quarter for c in closed_list(settings.warehouse_path)]}, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not settings.approval_on:
        print("sign-off is off (KPI_APPROVAL=off): every loaded value is shown; nothing waits")
        return EXIT_OK
    if not rows and not notes:
        print("nothing waits for approval")
        return EXIT_OK
    _print_waiting_commentary(notes)
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        groups.setdefault((row["reporter"], row["period"]), []).append(row)
    for (reporter, period), values in groups.items():
        revised = sum(v["change"] == "revised" for v in values)
        back = values[0]["sent_back_reason"]
        print(f"{reporter} {period}: {len(values)} value(s) waiting, {revised} revised since the last approved version"
              + (f"; sent back: {back}" if back else ""))
        for v in values[: args.limit]:
            parts = " ".join(f"{k}={val}" for k, val in sorted(v["breakdown"].items())) or "(total)"
            change = f"{_number(v['approved_value'])} -> {_number(v['value'])}" if v["change"] == "revised" else f"new {_number(v['value'])}"
            print(f"    {v['indicator']:<22} {parts:<30} {change:<24} {v['file_name']} (load #{v['load_id']}, {v['received_at']})")
        if len(values) > args.limit:
            print(f"    ... and {len(values) - args.limit} more (--limit N, or --json)")
        print(f"    approve: kpi approve --reporter {reporter} --period {period}")
    return EXIT_OK


def _print_waiting_commentary(notes: list) -> None:
    from pipelines.problems import printable

    for w in notes:
        print(f"commentary {w.indicator} {w.quarter}: {len(w.versions)} version(s) waiting")
        for v in w.versions:
            state = "replaces an approved version" if v["approved_id"] is not None else "new"
            print(f"    [{v['lang']}] owner {v['owner']}, by {printable(v['author'])} at {v['written_at']} ({state}): "
                  f"{printable(v['happened'][:100])}")
        print(f"    approve: kpi approve --commentary --period {w.quarter} --indicator {w.indicator}")


def _since(text: str) -> datetime | None:
    """YYYY-MM-DD or an ISO date-time (UTC unless it says otherwise), as naive UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.read_model.audit import read_audit

    since = None
    if args.since:
        since = _since(args.since)
        if since is None:
            return _fail("audit", f"cannot read --since {args.since!r}; write YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)", EXIT_USAGE)
    rows = read_audit(settings.warehouse_path, since, args.limit)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        print("no audit rows" + (f" since {args.since}" if since else "") + (
            "" if settings.warehouse_path.exists() else f" (no warehouse yet at {settings.warehouse_path})"))
        return EXIT_OK
    for row in rows:
        why = f"  why: {row['reason']}" if row["reason"] else ""
        print(f"#{row['audit_id']:<6} {row['at']}  {row['actor']:<20} {row['action']:<10} {row['object']}{why}")
    return EXIT_OK


def _as_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="actor", metavar="NAME",
                        help="who decides, for the audit log (default: the OS user); a built-in account must be an approver")


def _decision_parser(sub: argparse._SubParsersAction, name: str, func: Callable[..., int], help: str,
                     description: str, *, quarter: bool = False, reason_help: str | None = None,
                     reporter_required: bool = True) -> argparse.ArgumentParser:
    """One of approve/unapprove/close/reopen: --reporter and --period, or --quarter; --reason
    where the command takes one; --as; --json."""
    p = sub.add_parser(name, help=help, description=description)
    if quarter:
        p.add_argument("--quarter", required=True, metavar="YYYY-Qn", help="e.g. 2026-Q3")
    else:
        p.add_argument("--reporter", required=reporter_required, metavar="CODE", help="reporter code, e.g. MOFA")
        p.add_argument("--period", required=True, metavar="PERIOD", help="YYYY or YYYY-Qn, e.g. 2026-Q3")
    if reason_help:
        p.add_argument("--reason", metavar="TEXT", help=reason_help)
    _as_argument(p)
    p.add_argument("--json", action="store_true", help="print the decision as JSON")
    p.set_defaults(func=func)
    return p


def add_signoff_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pending", help="values waiting for approval, with what changed since the last approved version",
                       description="Every current value that differs from its approved value (or has none), grouped by "
                       "reporter and period, with the approved value it would replace and the file that brought it.")
    p.add_argument("--reporter", metavar="CODE", help="only this reporter")
    p.add_argument("--limit", type=int, default=20, help="values listed per reporter and period (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_pending)

    p = _decision_parser(sub, "approve", cmd_approve, "approve what a reporter sent for a period, or a quarter's commentary",
                         "Approve every value REPORTER has sent for PERIOD so far; leaders see them from then on. "
                         "A later revision of one of them waits for approval again. With --commentary, approve the "
                         "commentary waiting for the quarter PERIOD (every indicator's, or --indicator's): leaders read "
                         "the latest approved version. See `kpi pending` first.", reporter_required=False)
    p.add_argument("--commentary", action="store_true", help="approve commentary instead of figures")
    p.add_argument("--indicator", metavar="CODE", help="with --commentary: only this indicator's, e.g. MISSIONS_ABROAD")
    p = _decision_parser(sub, "unapprove", cmd_unapprove, "send a reporter's approved period, or a commentary, back with a reason",
                         "Withdraw the approval of REPORTER's values for PERIOD: they go back to received and "
                         "leaders no longer see them until approved again. With --commentary --indicator CODE, withdraw "
                         "the approval of that indicator's commentary for the quarter PERIOD: leaders no longer read it.",
                         reason_help="why (required; kept in the audit log)", reporter_required=False)
    p.add_argument("--commentary", action="store_true", help="send commentary back instead of figures")
    p.add_argument("--indicator", metavar="CODE", help="with --commentary: the indicator, e.g. MISSIONS_ABROAD")
    _decision_parser(sub, "close", cmd_close, "close a quarter: its values and every earlier period's are frozen",
                     "Freeze every value for periods ending on or before QUARTER (years whose fourth quarter "
                     "is covered, too): later files that would change one are rejected until the quarter is reopened. "
                     "Refused while values there wait for approval.",
                     quarter=True, reason_help="optional note, e.g. the review meeting")
    _decision_parser(sub, "reopen", cmd_reopen, "reopen a closed quarter, with a reason",
                     "Lift the close of QUARTER so its values can be revised; the reason is kept in the audit log.",
                     quarter=True, reason_help="why (required)")

    p = sub.add_parser("audit", help="the audit log: who loaded, rejected, approved, closed what, signed in, when and why",
                       description="Append-only rows, oldest first: time (UTC), who, action, object, reason. The "
                       "warehouse's rows and the dashboard's sign-ins, sign-outs and failed sign-ins of analysts and "
                       "approvers (kept in warehouse/signins.jsonl, ids S1, S2, ...), merged in time order.")
    p.add_argument("--since", metavar="WHEN", help="from this date or time (UTC), e.g. 2026-12-01 or 2026-12-01T08:00")
    p.add_argument("--limit", type=int, help="only the newest N rows")
    p.add_argument("--json", action="store_true", help="print JSON, with each row's details")
    p.set_defaults(func=cmd_audit)
