"""A real Redis and a real Celery worker, started for these tests (skipped without redis-server)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time

import pytest

from tests.processes import ROOT, free_port, log_file, process_env, stop


@pytest.fixture(scope="session")
def redis_url():
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    stop(proc)


@pytest.fixture(scope="session")
def celery_worker_process(redis_url, django_db_setup, dns_server):
    """`celery worker` as a separate process on the test database and the test Redis (custom
    domains verified against the session's local DNS server)."""
    env = process_env(
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        DNS_RESOLVER_NAMESERVERS=dns_server.address,
        DNS_RESOLVER_TIMEOUT="1",
    )
    log = log_file("celery-test")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield proc
    stop(proc, log)


@pytest.fixture
def real_celery(celery_worker_process, redis_url):
    """Point this process's Celery app at the test Redis with eager mode off."""
    from config.celery import app

    saved = (app.conf.broker_url, app.conf.result_backend, app.conf.task_always_eager)
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    _reset_connections(app)
    try:
        yield app
    finally:
        app.conf.update(broker_url=saved[0], result_backend=saved[1], task_always_eager=saved[2])
        _reset_connections(app)


def _reset_connections(app) -> None:
    """Forget connection and producer pools made for the previous broker URL."""
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)  # the result backend is cached per thread
