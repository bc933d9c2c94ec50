"""Helpers for tests that start real server processes (Celery worker, gunicorn, Redis)."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_env(**overrides: str) -> dict[str, str]:
    """The environment for a child process that must use this session's test database."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(DJANGO_ENV="test", DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    env.update(overrides)
    return env


def log_file(name: str):
    return open(ROOT / ".data" / f"{name}-{os.getpid()}.log", "w")  # noqa: SIM115 - closed by stop()


def stop(proc: subprocess.Popen, log=None) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if log is not None:
        log.close()
