"""Notification fan-out: notifications created and e-mailed through a local SMTP server by one
Celery worker, with the delay from each event to its e-mail's arrival.

One marketplace, BENCH_USERS people, BENCH_NOTIFICATIONS `message.received` notifications spread
round-robin over them, each with its own event id (so every one is new and e-mailed at once: the
kind is e-mailed by default and nobody chose the digest). `notify()` is called sequentially, each
call in a transaction of its own opened around it, as a calling service would (so notify's own
atomic is a savepoint); its `send_email.delay()` runs after the commit. The event time of a
notification is its commit (an on_commit callback registered before notify's own, so it runs first).

A real Redis (REDIS_URL, as `make bench` provides; otherwise a redis-server started here) on its own
database number (BENCH_REDIS_DB, so nothing else's queue is read) and ONE `celery worker --pool solo`
subprocess on the bench database, sending through an aiosmtpd server in this process that stamps each
message's arrival; the message is matched to its notification by the number in its subject (the
`{sender}` placeholder of the kind's title carries it).

Reported: notifications created per second (first to last commit), e-mailed per second (first commit
to last arrival), p50/p95/max delay from commit to arrival, errors (deliveries not sent, mails
missing or unmatched), the SQL statements of one notify() call on its own (its atomic the
outermost: BEGIN/COMMIT not counted) and of the send task's body (plus the worker's tenant look-up),
and the CPU time per notification of this process's notify() loop and of the worker per e-mail.

N is 10,000 by default: one worker sends ~50 e-mails a second on the 2-core development machine
when it is otherwise quiet, so the run takes about four minutes (nearer ten under another test
suite's load). BENCH_TIMEOUT bounds the wait for the last e-mail.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlparse, urlunparse

from _setup import ROOT, emit, percentile, prepare_platform, use_fresh_database

NOTIFICATIONS = int(os.environ.get("BENCH_NOTIFICATIONS", "10000"))
USERS = int(os.environ.get("BENCH_USERS", "500"))
DATABASE = os.environ.get("BENCH_DATABASE", "bench_notifications")  # another name keeps parallel runs apart
REDIS_DB = os.environ.get("BENCH_REDIS_DB", "9")  # a database of its own on a shared Redis
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "1800"))  # seconds to wait for the last e-mail
SUBJECT = re.compile(rb"^Subject: .*?bench-(\d+)\b", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int) -> None:
    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def start_redis() -> tuple[str, subprocess.Popen | None]:
    """REDIS_URL with the bench's database number; a redis-server of our own when none is given."""
    url = os.environ.get("REDIS_URL")
    proc = None
    if not url:
        binary = shutil.which("redis-server")
        if not binary:
            raise SystemExit("bench_notifications needs Redis: set REDIS_URL or install redis-server")
        port = free_port()
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(port)
        url = f"redis://127.0.0.1:{port}/0"
    return urlunparse(urlparse(url)._replace(path=f"/{REDIS_DB}")), proc


class Arrivals:
    """aiosmtpd handler: the arrival time of each message, by the notification number in its subject."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.at: dict[int, float] = {}
        self.unmatched = 0
        self.duplicates = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        now = time.time()
        found = SUBJECT.search(envelope.original_content or envelope.content)
        with self.lock:
            if found is None:
                self.unmatched += 1
            elif int(found.group(1)) in self.at:
                self.duplicates += 1
            else:
                self.at[int(found.group(1))] = now
        return "250 Message accepted for delivery"


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of process `pid` so far."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main() -> None:
    import logging

    from aiosmtpd.controller import Controller

    redis_url, redis_proc = start_redis()
    os.environ["REDIS_URL"] = redis_url
    use_fresh_database(DATABASE)
    logging.getLogger("mail.log").setLevel(logging.WARNING)

    from django.conf import settings
    from django.db import connection, transaction

    from accounts.models import User, UserStatus
    from config.celery import app
    from marketplace.notifications.models import DeliveryStatus, EmailDelivery
    from marketplace.notifications.services import email_delivery_send, notify
    from tenants.context import tenant_context
    from tenants.services import tenant_provision

    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)

    prepare_platform()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    tenant = tenant_provision(name="Notify Bench", slug="notifybench", kind="agency", admin_email="a@notify.test")

    arrivals = Arrivals()
    smtp_port = free_port()
    smtp = Controller(arrivals, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    worker_env = dict(
        os.environ,
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="false",
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    )
    (ROOT / ".data").mkdir(exist_ok=True)
    log = open(ROOT / ".data" / f"bench-notifications-worker-{os.getpid()}.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--loglevel",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=worker_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with tenant_context(tenant):
            people = User.objects.bulk_create(
                User(
                    email=f"person{i}@notify.test",
                    full_name=f"Person {i}",
                    status=UserStatus.ACTIVE,
                    is_active=True,
                    is_client=True,
                    password="!",
                )
                for i in range(USERS + 1)
            )
            spare = people.pop()  # for counting statements
            for _ in range(60):  # until the worker answers
                if app.control.ping(timeout=1):
                    break
            committed: dict[int, float] = {}
            started, creator_cpu = time.perf_counter(), time.process_time()
            for index in range(NOTIFICATIONS):
                with transaction.atomic():
                    transaction.on_commit(lambda index=index: committed.__setitem__(index, time.time()))
                    notify(
                        people[index % USERS],
                        "message.received",
                        event_id=f"bench:{index}",
                        context={"sender": f"bench-{index}"},
                        url="/api/v1/conversations/",
                    )
            created_elapsed, creator_cpu = time.perf_counter() - started, time.process_time() - creator_cpu
            deadline = time.time() + TIMEOUT
            while len(arrivals.at) + arrivals.unmatched < NOTIFICATIONS and time.time() < deadline:
                if worker.poll() is not None:
                    break
                time.sleep(0.2)
            statements: list[str] = []
            with connection.execute_wrapper(lambda execute, *args: statements.append(args[0]) or execute(*args)):
                notify(spare, "message.received", event_id="bench:count", context={"sender": f"bench-{NOTIFICATIONS}"})
            # The task's body for one more e-mail, here with the in-memory backend (the worker adds
            # one query: the tenant of the task's schema).
            extra = notify(spare, "message.received", event_id="bench:send", context={"sender": "x"}, email=False)
            delivery = EmailDelivery.objects.create(notification=extra)
            settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
            sent_statements: list[str] = []
            with connection.execute_wrapper(lambda execute, *args: sent_statements.append(args[0]) or execute(*args)):
                email_delivery_send(delivery_id=delivery.pk, final_attempt=False)
            time.sleep(1)  # let the worker finish the counted one's e-mail before it is stopped
            worker_cpu = cpu_seconds(worker.pid)
            not_sent = EmailDelivery.objects.exclude(status=DeliveryStatus.SENT).exclude(
                notification__event_id__in=["bench:count", "bench:send"]
            )
            not_sent_count = not_sent.count()
    finally:
        stop(worker)
        log.close()
        smtp.stop()
        if redis_proc is not None:
            stop(redis_proc)

    arrived = {i: at for i, at in arrivals.at.items() if i in committed}  # not the counted one
    delays = [at - committed[i] for i, at in arrived.items()]
    missing = NOTIFICATIONS - len(delays)
    emailed_elapsed = max(arrived.values()) - min(committed.values()) if delays else float("nan")
    errors = not_sent_count + missing + arrivals.unmatched + arrivals.duplicates
    common = {"notifications": NOTIFICATIONS, "users": USERS, "workers": 1, "pool": "solo"}
    emit(
        "notifications_created_per_second",
        NOTIFICATIONS / created_elapsed,
        "notifications/s",
        **common,
        transaction="one per notify()",
    )
    emit(
        "notifications_emailed_per_second",
        len(delays) / emailed_elapsed,
        "e-mails/s",
        **common,
        span="first commit to last arrival",
    )
    emit("notifications_delay_p50", percentile(delays, 0.5), "s", **common)
    emit("notifications_delay_p95", percentile(delays, 0.95), "s", **common)
    emit("notifications_delay_max", max(delays), "s", **common)
    emit(
        "notifications_errors",
        errors,
        "count",
        **common,
        not_sent=not_sent_count,
        missing=missing,
        unmatched=arrivals.unmatched,
        duplicates=arrivals.duplicates,
    )
    emit("notifications_statements_per_notify", len(statements), "statements", emailed=True)
    emit("notifications_statements_per_email", len(sent_statements) + 1, "statements", tenant_lookup=True)
    emit("notifications_creator_cpu", creator_cpu / NOTIFICATIONS * 1000, "ms", per="notify() call, Python only")
    emit(
        "notifications_worker_cpu",
        worker_cpu / max(1, len(delays)) * 1000,
        "ms",
        per="e-mail, worker process only",
        includes="start-up",
    )


if __name__ == "__main__":
    main()
