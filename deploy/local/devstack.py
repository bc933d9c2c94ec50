#!/usr/bin/env python3
"""Local development stack: a project-managed PostgreSQL (and Redis when installed) under `.data/`.

Used by the Makefile:

    devstack.py run      start PostgreSQL/Redis, migrate, provision demo marketplaces, serve
    devstack.py test     start PostgreSQL/Redis, run pytest with the given arguments
    devstack.py bench    start PostgreSQL/Redis, run every script under bench/
    devstack.py env      start PostgreSQL/Redis and print the environment to use them

`DATABASE_URL` / `REDIS_URL` set in the environment point everything at external servers instead,
and nothing is started for them. Only the standard library is used here, so the script works
before the virtualenv exists.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".data"
PG_DATA = DATA / "postgres"
PG_RUN = DATA / "run"
PG_LOG = DATA / "postgres.log"
PG_PORT = int(os.environ.get("DEV_PG_PORT", "55432"))
REDIS_PORT = int(os.environ.get("DEV_REDIS_PORT", "56379"))
DB_NAME = "marketplace"
VENV_BIN = ROOT / ".venv" / "bin"


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def pg_bindir() -> Path:
    """Find the PostgreSQL server binaries: pg_config first, then the usual install folders."""
    candidates: list[str] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    candidates += ["/usr/local/pgsql/bin", "/opt/homebrew/bin", "/usr/local/bin", "/usr/bin"]
    for folder in candidates:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    fail("PostgreSQL server not found: install it (Debian/Ubuntu: apt-get install postgresql) and retry.")
    raise AssertionError  # unreachable


def server_user() -> str | None:
    """PostgreSQL refuses to run as root: pick an unprivileged system user (creating one if needed)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "marketplace"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "marketplace"], check=True)
    return "marketplace"


def as_server_user(cmd: list[str], user: str | None, **kwargs) -> subprocess.CompletedProcess:
    if user:
        cmd = ["runuser", "-u", user, "--", *cmd]
    return subprocess.run(cmd, **kwargs)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def ensure_postgres() -> tuple[str, bool]:
    """Start the project's PostgreSQL if needed. Returns (DATABASE_URL, started_here)."""
    bindir = pg_bindir()
    user = server_user()
    DATA.mkdir(exist_ok=True)
    PG_RUN.mkdir(exist_ok=True)
    (DATA / "static").mkdir(exist_ok=True)  # STATIC_ROOT, so whitenoise finds its folder
    if user:
        # The server user must be able to reach .data (a checkout under /root would not be).
        for folder in [ROOT, *ROOT.parents]:
            mode = folder.stat().st_mode
            if not mode & 0o001:
                os.chmod(folder, mode | 0o001)
        shutil.chown(DATA, user)
        shutil.chown(PG_RUN, user)
    if not (PG_DATA / "PG_VERSION").exists():
        PG_DATA.mkdir(exist_ok=True)
        if user:
            shutil.chown(PG_DATA, user)
        print("Initialising PostgreSQL in .data/postgres ...", file=sys.stderr, flush=True)
        as_server_user(
            [
                str(bindir / "initdb"),
                "-D",
                str(PG_DATA),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            user,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    url = f"postgres://postgres@127.0.0.1:{PG_PORT}/{DB_NAME}"
    if port_open(PG_PORT):
        return url, False
    if PG_LOG.exists() and user:
        shutil.chown(PG_LOG, user)
    options = (
        f"-p {PG_PORT} -k {PG_RUN} -c listen_addresses=127.0.0.1 -c max_connections=300 "
        "-c synchronous_commit=off -c shared_buffers=256MB -c max_locks_per_transaction=1024"
    )
    result = as_server_user(
        [str(bindir / "pg_ctl"), "-D", str(PG_DATA), "-l", str(PG_LOG), "-o", options, "-w", "start"],
        user,
        stdout=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        fail(f"PostgreSQL did not start; see {PG_LOG}")
    created = subprocess.run(
        [
            str(bindir / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(PG_PORT),
            "-U",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{DB_NAME}'",
        ],
        capture_output=True,
        text=True,
    )
    if created.stdout.strip() != "1":
        subprocess.run(
            [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", DB_NAME], check=True
        )
    return url, True


def stop_postgres() -> None:
    as_server_user(
        [str(pg_bindir() / "pg_ctl"), "-D", str(PG_DATA), "-m", "fast", "-w", "stop"],
        server_user(),
        stdout=subprocess.DEVNULL,
    )


def ensure_redis() -> tuple[str | None, subprocess.Popen | None]:
    """Start redis-server when installed. Returns (REDIS_URL or None, process started here)."""
    url = f"redis://127.0.0.1:{REDIS_PORT}/0"
    if port_open(REDIS_PORT):
        return url, None
    binary = shutil.which("redis-server")
    if not binary:
        return None, None
    proc = subprocess.Popen(
        [binary, "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(50):
        if port_open(REDIS_PORT):
            return url, proc
        time.sleep(0.1)
    fail("redis-server did not start")
    raise AssertionError


class Stack:
    """The servers this invocation started; stopped again on exit."""

    def __init__(self) -> None:
        self.env = dict(os.environ)
        self.started_pg = False
        self.redis_proc: subprocess.Popen | None = None

    def __enter__(self) -> Stack:
        if not self.env.get("DATABASE_URL"):
            self.env["DATABASE_URL"], self.started_pg = ensure_postgres()
        if "REDIS_URL" not in self.env:
            redis_url, self.redis_proc = ensure_redis()
            if redis_url:
                self.env["REDIS_URL"] = redis_url
        self.env.setdefault("PATH", "")
        self.env["PATH"] = f"{VENV_BIN}:{self.env['PATH']}"
        return self

    def __exit__(self, *exc) -> None:
        if self.redis_proc:
            self.redis_proc.terminate()
            self.redis_proc.wait(timeout=10)
        if self.started_pg:
            stop_postgres()


def manage(env: dict, *args: str) -> None:
    subprocess.run([str(VENV_BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def cmd_run() -> int:
    # Stopped by `kill` or a closed terminal as by Ctrl-C: the web server, worker and beat stop too.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    with Stack() as stack:
        env = stack.env
        env.setdefault("DJANGO_DEBUG", "true")
        manage(env, "migrate_fast")  # the public schema, then every tenant schema that is behind
        manage(env, "tenants_template")  # creates the template on a fresh database
        manage(env, "seed_demo")
        port = env.get("PORT", "8000")
        procs: list[subprocess.Popen] = []
        web = [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"0.0.0.0:{port}",
            "--workers",
            "2",
            "--threads",
            "32",  # each open page holds one for its live-updates stream
            "--access-logfile",
            "-",
            "--reload",
        ]
        procs.append(subprocess.Popen(web, cwd=ROOT, env=env))
        if env.get("REDIS_URL"):
            procs.append(
                subprocess.Popen(
                    [str(VENV_BIN / "celery"), "-A", "config", "worker", "-l", "info", "--concurrency", "2"],
                    cwd=ROOT,
                    env=env,
                )
            )
            procs.append(
                subprocess.Popen(
                    [
                        str(VENV_BIN / "celery"),
                        "-A",
                        "config",
                        "beat",
                        "-l",
                        "info",
                        "--schedule",
                        str(DATA / "celerybeat-schedule"),
                    ],
                    cwd=ROOT,
                    env=env,
                )
            )
        _wait_for_http(f"http://127.0.0.1:{port}/healthz")
        time.sleep(2)  # let the worker and beat print their banners first
        manage(env, "demo_info", "--port", port)
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        return 0


def _wait_for_http(url: str, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback
            return
        except OSError:
            time.sleep(0.3)


def cmd_test(args: list[str]) -> int:
    with Stack() as stack:
        return subprocess.run([str(VENV_BIN / "pytest"), *args], cwd=ROOT, env=stack.env).returncode


def cmd_bench(args: list[str]) -> int:
    with Stack() as stack:
        status = 0
        scripts = sorted((ROOT / "bench").glob("bench_*.py"))
        for script in scripts:
            if args and not any(a in script.name for a in args):
                continue
            status |= subprocess.run([str(VENV_BIN / "python"), str(script)], cwd=ROOT, env=stack.env).returncode
        return status


def cmd_env() -> int:
    stack = Stack().__enter__()
    print(f"export DATABASE_URL={stack.env['DATABASE_URL']}")
    if stack.env.get("REDIS_URL"):
        print(f"export REDIS_URL={stack.env['REDIS_URL']}")
    return 0


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    command, args = sys.argv[1], sys.argv[2:]
    if command == "run":
        return cmd_run()
    if command == "test":
        return cmd_test(args)
    if command == "bench":
        return cmd_bench(args)
    if command == "env":
        return cmd_env()
    if command == "stop":
        stop_postgres()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
