"""`kpi notify`: a real SMTP server (aiosmtpd on 127.0.0.1) and a real HTTP server for the
webhook; the real pipeline makes the events. Each event is sent once, across restarts."""

from __future__ import annotations

import email
import json
import socket
import threading
import time
from email import policy
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.cli.test_watch_cmd import start_watcher  # noqa: F401 - fixture

BAD_MOFA = [["MISSIONS_ABROAD", "MOFA", "2025-Q1", "-5", "agencies", ""]]
BAD_HCMC = [["OFFICIALS_TRAINED", "HCMC", "2025-Q1", "#N/A", "persons", ""]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """aiosmtpd handler: every message received, parsed."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(msg)
        return "250 OK"


def start_smtp(port: int, **kwargs) -> tuple[Controller, Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return controller, box


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mailbox(smtp_port):
    controller, box = start_smtp(smtp_port)
    yield box
    controller.stop()


@pytest.fixture
def notify_env(smtp_port) -> dict[str, str]:
    return {"KPI_SMTP_HOST": "127.0.0.1", "KPI_SMTP_PORT": str(smtp_port), "KPI_SMTP_SECURITY": "none",
            "KPI_NOTIFY_ANALYSTS": "lan@example.org:en", "KPI_NOTIFY_LEADERS": "minh@example.org:vi,anna@example.org:en",
            "KPI_NOTIFY_REVIEW_PACK": "false", "KPI_NOTIFY_DIGEST_HOUR": "24", "KPI_NOTIFY_RETRY_S": "0"}


def wait_until(predicate, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def attachments(msg) -> dict[str, str]:
    return {part.get_filename(): part.get_content() for part in msg.iter_attachments()}


def test_a_rejected_file_sends_its_reporter_one_email_with_the_report(kpi, write_csv, mailbox, notify_env):
    assert kpi("ingest", write_csv("bad_missions.csv", BAD_MOFA)).returncode == 1
    result = kpi("notify", env=notify_env)
    assert result.returncode == 0, result.stderr
    assert len(mailbox.messages) == 1
    (msg,) = mailbox.messages
    assert msg["To"] == "baocao.mofa@example.org" and msg["X-Envelope-To"] == "baocao.mofa@example.org"
    assert msg["Subject"] == "[KPI 292] Tệp bad_missions.csv bị từ chối: 1 lỗi"
    assert "bad_missions.csv, dòng 2, cột value: -5 là số âm" in msg.get_body().get_content()
    report = attachments(msg)["bad_missions.csv.report.txt"]
    assert "dòng 2, cột value" in report
    assert result.stdout.startswith("sent       email   baocao.mofa@example.org")
    # Run again (a restart, the timer): nothing new, nothing sent twice.
    again = kpi("notify", env=notify_env)
    assert again.returncode == 0 and again.stdout.strip() == "nothing to send"
    assert len(mailbox.messages) == 1


def test_each_contact_hears_in_their_own_language(kpi, write_csv, mailbox, notify_env):
    assert kpi("ingest", write_csv("hcmc.csv", BAD_HCMC)).returncode == 1
    assert kpi("notify", env=notify_env).returncode == 0
    by_to = {m["To"]: m for m in mailbox.messages}
    assert set(by_to) == {"baocao.hcmc@example.org", "reports.hcmc@example.org"}
    assert by_to["reports.hcmc@example.org"]["Subject"] == "[KPI 292] Your file hcmc.csv was rejected: 1 problem(s)"
    assert "hcmc.csv, row 2, column value: '#N/A' is not a number" in attachments(by_to["reports.hcmc@example.org"])["hcmc.csv.report.txt"]
    assert by_to["baocao.hcmc@example.org"]["Subject"].startswith("[KPI 292] Tệp hcmc.csv bị từ chối")


def test_a_file_with_no_known_reporter_goes_to_analysts(kpi, write_csv, mailbox, notify_env):
    assert kpi("ingest", write_csv("junk.csv", "hello\nworld\n")).returncode == 1
    assert kpi("notify", env=notify_env).returncode == 0
    (msg,) = mailbox.messages
    assert msg["To"] == "lan@example.org" and msg["Subject"] == "[KPI 292] File junk.csv rejected; its reporter could not be identified"


def test_a_late_reporter_triggers_one_email_at_the_deadline(kpi, write_csv, mailbox, notify_env):
    rows = [["OFFICIALS_TRAINED", "HANOI", "2026-Q1", "120", "persons", ""]]
    assert kpi("ingest", write_csv("hanoi_q1.csv", rows)).returncode == 0
    # 2026-Q2 is due on 20 July: on the day itself nobody is late yet.
    on_the_day = kpi("notify", "--today", "2026-07-20", env=notify_env)
    assert on_the_day.returncode == 0 and on_the_day.stdout.strip() == "nothing to send", on_the_day.stdout
    after = kpi("notify", "--today", "2026-07-21", env=notify_env)
    assert after.returncode == 0, after.stderr
    (msg,) = mailbox.messages
    assert msg["To"] == "lan@example.org"
    assert msg["Subject"] == "[KPI 292] HANOI has not reported 2026-Q2 (due 20/07/2026)"
    assert "0 of 1 indicators received" in msg.get_body().get_content()
    for day in ("2026-07-22", "2026-08-30"):
        assert kpi("notify", "--today", day, env=notify_env).stdout.strip() == "nothing to send"
    assert len(mailbox.messages) == 1


def test_a_status_that_worsens_sends_each_leader_one_email(kpi, write_csv, mailbox, notify_env):
    notify_env = {**notify_env, "KPI_NOTIFY_ANALYSTS": ""}  # MOFA is also late for later quarters: not this test's point
    good = [["MISSIONS_ABROAD", "MOFA", "2025-Q1", "95", "agencies", ""], ["MISSIONS_ABROAD", "MOFA", "2025-Q2", "97", "agencies", ""]]
    assert kpi("ingest", write_csv("m1.csv", good)).returncode == 0
    for period in ("2025-Q1", "2025-Q2"):  # leaders' statuses are the approved figures'
        assert kpi("approve", "--reporter", "MOFA", "--period", period).returncode == 0
    first = kpi("notify", env=notify_env)  # the baseline: statuses seen, nothing worsened yet
    assert first.returncode == 0 and first.stdout.strip() == "nothing to send", first.stdout
    assert kpi("ingest", write_csv("m2.csv", [["MISSIONS_ABROAD", "MOFA", "2025-Q3", "90", "agencies", ""]])).returncode == 0
    assert kpi("notify", env=notify_env).returncode == 0 and not mailbox.messages  # waiting for approval: not yet leaders'
    assert kpi("approve", "--reporter", "MOFA", "--period", "2025-Q3").returncode == 0
    assert kpi("notify", env=notify_env).returncode == 0
    subjects = sorted((m["To"], m["Subject"]) for m in mailbox.messages)
    assert subjects == [
        ("anna@example.org", "[KPI 292] MISSIONS_ABROAD: status for 2030 worsened from “on track” to “deterioration”"),
        ("anna@example.org", "[KPI 292] MISSIONS_ABROAD: status for 2045 worsened from “on track” to “deterioration”"),
        ("minh@example.org", "[KPI 292] MISSIONS_ABROAD: trạng thái mục tiêu 2030 chuyển từ “đúng tiến độ” sang “đi xuống”"),
        ("minh@example.org", "[KPI 292] MISSIONS_ABROAD: trạng thái mục tiêu 2045 chuyển từ “đúng tiến độ” sang “đi xuống”"),
    ]
    assert kpi("notify", env=notify_env).stdout.strip() == "nothing to send"
    assert len(mailbox.messages) == 4


def test_restarting_the_watcher_and_the_notifier_sends_nothing_twice(start_watcher, data_dir, mailbox, notify_env, kpi):
    watcher = start_watcher("--settle", "0.3", env=notify_env)
    (data_dir / "inbox" / "bad_missions.csv").write_text(
        "indicator,reporter,period,value,unit,note\nMISSIONS_ABROAD,MOFA,2025-Q1,-5,agencies,\n")
    assert wait_until(lambda: len(mailbox.messages) == 1), watcher.log()
    assert watcher.stop() == 0
    again = start_watcher("--settle", "0.3", env=notify_env)  # runs kpi notify as it starts
    time.sleep(2)
    assert again.stop() == 0
    assert kpi("notify", env=notify_env).stdout.strip() == "nothing to send"
    assert len(mailbox.messages) == 1 and mailbox.messages[0]["To"] == "baocao.mofa@example.org"


def test_a_failed_send_is_retried_and_then_sent_once(kpi, write_csv, smtp_port, notify_env, data_dir):
    assert kpi("ingest", write_csv("bad.csv", BAD_MOFA)).returncode == 1
    down = kpi("notify", env=notify_env)  # nothing listens on the port yet
    assert down.returncode == 0 and down.stdout.startswith("failed     email   baocao.mofa@example.org"), down.stdout
    assert "retried later" in down.stderr
    controller, box = start_smtp(smtp_port)
    try:
        up = kpi("notify", env=notify_env)
        assert up.returncode == 0 and up.stdout.startswith("sent "), up.stdout
        assert kpi("notify", env=notify_env).stdout.strip() == "nothing to send"
    finally:
        controller.stop()
    assert len(box.messages) == 1
    steps = [json.loads(line)["step"] for line in (data_dir / "notify" / "ledger.jsonl").read_text().splitlines()]
    assert steps == ["pending", "failed", "sent"]


def test_an_undeliverable_message_is_logged_not_lost_silently(kpi, write_csv, notify_env):
    assert kpi("ingest", write_csv("bad.csv", BAD_MOFA)).returncode == 1
    env = {**notify_env, "KPI_NOTIFY_MAX_ATTEMPTS": "2"}
    assert kpi("notify", env=env).returncode == 0
    last = kpi("notify", env=env)
    assert last.returncode == 1 and last.stdout.startswith("gave up")
    assert "undeliverable after 2 attempts" in last.stderr and "baocao.mofa@example.org" in last.stderr
    assert kpi("notify", env=env).stdout.strip() == "nothing to send"  # logged once, not retried forever


def test_dry_run_shows_what_would_be_sent_and_sends_nothing(kpi, write_csv, mailbox, notify_env, data_dir):
    assert kpi("ingest", write_csv("bad.csv", BAD_MOFA)).returncode == 1
    dry = kpi("notify", "--dry-run", "--verbose", env=notify_env)
    assert dry.returncode == 0
    assert dry.stdout.startswith("would send email   baocao.mofa@example.org")
    assert "bad.csv, dòng 2, cột value" in dry.stdout
    assert mailbox.messages == [] and not (data_dir / "notify" / "ledger.jsonl").exists()
    assert kpi("notify", env=notify_env).returncode == 0 and len(mailbox.messages) == 1


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append({"type": self.headers["Content-Type"], "json": json.loads(body)})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_webhook_gets_one_json_post_per_event(kpi, write_csv):
    _Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = {"KPI_NOTIFY_WEBHOOK_URL": f"http://127.0.0.1:{server.server_port}/hook", "KPI_NOTIFY_WEBHOOK_LANGUAGE": "en",
               "KPI_NOTIFY_REVIEW_PACK": "false", "KPI_NOTIFY_DIGEST_HOUR": "24"}
        assert kpi("ingest", write_csv("bad.csv", BAD_MOFA)).returncode == 1
        assert kpi("notify", env=env).returncode == 0
        assert kpi("notify", env=env).stdout.strip() == "nothing to send"
    finally:
        server.shutdown()
    (post,) = _Hook.received
    assert post["type"].startswith("application/json")
    body = post["json"]
    assert (body["kind"], body["audience"], body["language"]) == ("rejected", "reporter", "en")
    assert body["subject"] == "[KPI 292] Your file bad.csv was rejected: 1 problem(s)"
    assert body["data"]["reporters"] == ["MOFA"] and body["attachments"] == ["bad.csv.report.txt"]


@pytest.mark.parametrize("env, says", [
    ({"KPI_NOTIFY_ANALYSTS": "lan@example.org"}, "neither KPI_SMTP_HOST nor KPI_NOTIFY_WEBHOOK_URL"),
    ({"KPI_SMTP_HOST": "mail.example.org", "KPI_SMTP_SECURITY": "none", "KPI_SMTP_USER": "u"}, "clear text"),
    ({"KPI_NOTIFY_WEBHOOK_URL": "http://chat.example.org/hook"}, "must use https://"),
    ({"KPI_SMTP_HOST": "127.0.0.1", "KPI_NOTIFY_LEADERS": "minh@example.org:fr"}, "must be vi or en"),
    ({}, "nothing to send with"),
])
def test_configuration_errors_stop_with_a_clear_message(kpi, env, says):
    result = kpi("notify", env=env)
    assert result.returncode == 2 and says in result.stderr and "Traceback" not in result.stderr


def test_the_day_s_digest_goes_to_analysts_once(kpi, write_csv, mailbox, notify_env):
    assert kpi("ingest", write_csv("a.csv", [["OFFICIALS_TRAINED", "HANOI", "2025-Q1", "10", "persons", ""]])).returncode == 0
    assert kpi("ingest", write_csv("bad.csv", BAD_MOFA)).returncode == 1
    env = {**notify_env, "KPI_NOTIFY_DIGEST_HOUR": "0", "KPI_NOTIFY_REPORTERS": "false"}
    assert kpi("notify", env=env).returncode == 0
    digests = [m for m in mailbox.messages if "Loads on" in m["Subject"]]
    assert len(digests) == 1 and digests[0]["To"] == "lan@example.org"
    assert digests[0]["Subject"].endswith(": 1 loaded, 1 rejected")
    text = digests[0].get_body().get_content()
    assert "loaded      a.csv" in text and "rejected    bad.csv" in text
    assert kpi("notify", env=env).stdout.strip() == "nothing to send"


def test_a_file_left_in_the_inbox_is_reported_to_analysts_once(kpi, mailbox, notify_env, data_dir):
    inbox = data_dir / "inbox"
    inbox.mkdir(parents=True)
    held = inbox / "needs_review.csv"
    held.write_text("indicator,reporter,period,value\n")
    old = time.time() - 3600
    import os

    os.utime(held, (old, old))
    env = {**notify_env, "KPI_NOTIFY_WAITING_AFTER_S": "600"}
    assert kpi("notify", env=env).returncode == 0
    (msg,) = mailbox.messages
    assert msg["To"] == "lan@example.org" and msg["Subject"] == "[KPI 292] File needs_review.csv is waiting in the inbox"
    assert kpi("notify", env=env).stdout.strip() == "nothing to send"


def test_loaded_with_warnings_tells_the_reporter(kpi, write_csv, mailbox, notify_env, settings):
    """The hook for plausibility warnings: once the load log has a `warnings` column, a loaded file
    with warnings is told to its reporter (the column is added here as that change will)."""
    from pipelines.warehouse.store import open_writer

    assert kpi("ingest", write_csv("hanoi.csv", [["OFFICIALS_TRAINED", "HANOI", "2025-Q1", "10", "persons", ""]])).returncode == 0
    with open_writer(settings.warehouse_path) as con:
        con.execute("ALTER TABLE loads ADD COLUMN warnings VARCHAR")
        con.execute("""UPDATE loads SET warnings = '[{"message_en": "10 is 90% below the previous quarter", "message_vi": "10 thấp hơn quý trước 90%"}]'""")
    env = {**notify_env, "KPI_NOTIFY_ANALYSTS": ""}
    assert kpi("notify", env=env).returncode == 0
    (msg,) = mailbox.messages
    assert msg["To"] == "baocao.hanoi@example.org" and msg["Subject"] == "[KPI 292] Tệp hanoi.csv đã được nạp, có 1 cảnh báo"
    assert "10 thấp hơn quý trước 90%" in msg.get_body().get_content()
    assert kpi("notify", env=env).stdout.strip() == "nothing to send"


def test_the_quarter_s_review_pack_goes_to_leaders_with_the_pdf(kpi, write_csv, mailbox, notify_env):
    rows = [["MISSIONS_ABROAD", "MOFA", "2026-Q1", "95", "agencies", ""], ["MISSIONS_ABROAD", "MOFA", "2026-Q2", "96", "agencies", ""],
            ["OFFICIALS_TRAINED", "HANOI", "2026-Q1", "10", "persons", ""]]  # Hanoi's 2026-Q2 has not come
    assert kpi("ingest", write_csv("m.csv", rows)).returncode == 0
    env = {**notify_env, "KPI_NOTIFY_REVIEW_PACK": "true", "KPI_NOTIFY_ANALYSTS": "", "KPI_NOTIFY_LEADERS": "anna@example.org:en"}
    # Not ready while a report is still outstanding and not yet due; ready once its deadline passed.
    assert kpi("notify", "--today", "2026-07-20", env=env).stdout.strip() == "nothing to send"
    result = kpi("notify", "--today", "2026-07-21", env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    (msg,) = mailbox.messages
    assert msg["To"] == "anna@example.org" and msg["Subject"] == "[KPI 292] The review pack for 2026-Q2 is ready"
    (part,) = list(msg.iter_attachments())
    assert part.get_filename() == "review-2026-Q2-en.pdf" and part.get_content_type() == "application/pdf"
    assert part.get_content().startswith(b"%PDF")
    assert kpi("notify", "--today", "2026-07-22", env=env).stdout.strip() == "nothing to send"


def _self_signed(folder: Path) -> tuple[Path, Path]:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    import ipaddress

    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp.pem", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_starttls_with_a_login_and_the_server_certificate_checked(kpi, write_csv, smtp_port, notify_env, tmp_path):
    import ssl

    from aiosmtpd.smtp import AuthResult

    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret-pass")

    controller, box = start_smtp(smtp_port, tls_context=context, require_starttls=True,
                                 authenticator=authenticator, auth_require_tls=True)
    try:
        assert kpi("ingest", write_csv("bad.csv", BAD_MOFA)).returncode == 1
        env = {**notify_env, "KPI_SMTP_SECURITY": "starttls", "KPI_SMTP_USER": "kpi", "KPI_SMTP_PASSWORD": "s3cret-pass"}
        untrusted = kpi("notify", env=env)  # the self-signed certificate is not trusted: nothing goes out
        assert untrusted.stdout.startswith("failed") and "CERTIFICATE_VERIFY_FAILED" in untrusted.stdout
        trusted = kpi("notify", env={**env, "KPI_SMTP_CA_FILE": str(cert)})
        assert trusted.returncode == 0 and trusted.stdout.startswith("sent "), trusted.stdout + trusted.stderr
    finally:
        controller.stop()
    assert len(box.messages) == 1 and logins == [(b"kpi", b"s3cret-pass")]
