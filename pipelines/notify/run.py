"""One `kpi notify` run: find new events, write them to the ledger (the outbox), send what is due.

Run by `kpi watch` after each load and by a timer for deadlines; concurrent runs take turns
on the ledger's lock. A delivery that fails is retried on later runs after KPI_NOTIFY_RETRY_S,
doubling each time, and after KPI_NOTIFY_MAX_ATTEMPTS it is logged as undeliverable (`gave_up`),
which makes `kpi notify` exit 1 so a timer's failure shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from pipelines.catalog import load_catalog
from pipelines.notify.events import Context, find_events
from pipelines.notify.ledger import Delivery, Ledger
from pipelines.notify.send import Mailer, post_webhook
from pipelines.settings import Settings
from pipelines.warehouse.store import open_reader

log = logging.getLogger("kpi.notify")


@dataclass
class Outcome:
    planned: list[Delivery] = field(default_factory=list)  # new deliveries (dry run: what would be sent)
    sent: list[Delivery] = field(default_factory=list)
    failed: list[Delivery] = field(default_factory=list)
    gave_up: list[Delivery] = field(default_factory=list)


def _deliveries(events, settings: Settings, existing: dict, write: bool) -> list[Delivery]:
    out = []
    for event in events:
        targets = [("email", to, lang) for to, lang in event.recipients] if settings.smtp_host else []
        if settings.notify_webhook_url:
            targets.append(("webhook", settings.notify_webhook_url, settings.notify_webhook_language))
        made: dict[str, tuple[str, str, list[dict]]] = {}
        for channel, to, lang in targets:
            if (event.key, channel, to) in existing:
                continue
            if lang not in made:
                made[lang] = event.make(lang, write)
            subject, body, attachments = made[lang]
            out.append(Delivery(event.key, channel, to, lang, event.kind, event.audience, subject, body,
                                attachments, event.data))
    return out


def _due(d: Delivery, settings: Settings, now: datetime) -> bool:
    if d.state == "pending":
        return True
    if d.state != "failed" or d.last_at is None:
        return False
    wait = settings.notify_retry_s * (2 ** max(d.attempts - 1, 0))
    return now >= datetime.fromisoformat(d.last_at) + timedelta(seconds=wait)


def run_notify(settings: Settings, dry_run: bool = False, today: date | None = None,
               render_pack: Callable[[Path, str, str, Path], None] | None = None) -> Outcome:
    """Find new events and send each once. `render_pack` writes a quarter's review pack (the `kpi`
    command passes dashboard.report.write_report); without it no review-pack event is raised."""
    zone = ZoneInfo(settings.timezone)
    if today is None:
        now_aware = datetime.now(timezone.utc)
        today = now_aware.astimezone(zone).date()
    else:  # a day given (catching up, or tests): judged as at the end of that local day
        now_aware = datetime(today.year, today.month, today.day, 23, 59, tzinfo=zone).astimezone(timezone.utc)
    now = now_aware.replace(tzinfo=None)
    catalog = load_catalog(settings.catalog_dir)
    ledger = Ledger(settings.notify_dir)
    outcome = Outcome()
    with ledger.locked(timeout_s=settings.lock_timeout_s):
        existing = ledger.read()
        previous = ledger.read_state("seen") or {}
        with open_reader(settings.warehouse_path) as con:
            ctx = Context(settings, catalog, con, today, now, previous, {k for k, _, _ in existing}, render_pack)
            events, state = find_events(ctx)
            new = _deliveries(events, settings, existing, write=not dry_run)
        outcome.planned = new
        if dry_run:
            outcome.planned += [d for d in existing.values() if _due(d, settings, now_aware)]
            return outcome
        ledger.append([d.to_record() for d in new])
        ledger.write_state("seen", state)
        for d in new:
            existing[d.ident] = d
        mailer = Mailer(settings)
        try:
            for d in [d for d in existing.values() if _due(d, settings, now_aware)]:
                try:
                    if d.channel == "email":
                        mailer.send(d)
                    else:
                        post_webhook(d, settings)
                except Exception as exc:  # noqa: BLE001 - every failure is recorded, none is silent
                    error = f"{type(exc).__name__}: {exc}"
                    if d.attempts + 1 >= settings.notify_max_attempts:
                        ledger.step(d, "gave_up", error)
                        log.error("undeliverable after %d attempts: %s %s to %s: %s", d.attempts, d.channel, d.key, d.to, error)
                        outcome.gave_up.append(d)
                    else:
                        ledger.step(d, "failed", error)
                        log.warning("send failed (attempt %d, retried later): %s %s to %s: %s",
                                    d.attempts, d.channel, d.key, d.to, error)
                        outcome.failed.append(d)
                else:
                    ledger.step(d, "sent")
                    log.info("sent %s %s to %s", d.channel, d.key, d.to)
                    outcome.sent.append(d)
        finally:
            mailer.close()
    return outcome
