"""TLS permission endpoint: how fast the product answers the TLS proxy's "may I get a certificate for
this name?" (`GET /_tls/permission?domain=<host>`), against a running gunicorn.

Set-up: a fresh database with BENCH_TENANTS marketplaces and BENCH_DOMAINS verified custom domains
spread over them; gunicorn (BENCH_WORKERS workers × BENCH_THREADS threads, gthread, as in production)
on a free port. Client: BENCH_CONCURRENCY threads in this process, each on its own keep-alive
connection, BENCH_REQUESTS requests per measurement.

Measurements (requests per second over the whole run, p50/p95 latency as the client sees it):
- cached: a handful of names asked again and again (the platform domain, subdomains, custom domains,
  an unknown name) — after the first ask each is answered from the process's host cache, no query;
- uncached: every request a name not asked before (half verified custom domains, half unknown), so
  each one is a cache miss costing one indexed query;
- healthz: `GET /healthz` on the same server in the same run, the floor of what gunicorn + Django
  answer, for comparison.
Every answer is checked (200 for allowed names, 404 for unknown ones); a wrong one stops the bench.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time

from _setup import ROOT, emit, percentile, prepare_platform, use_fresh_database

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "5000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
TENANTS = int(os.environ.get("BENCH_TENANTS", "3"))
DOMAINS = int(os.environ.get("BENCH_DOMAINS", "5000"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
THREADS = os.environ.get("BENCH_THREADS", "4")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> tuple[subprocess.Popen, object]:
    (ROOT / ".data").mkdir(exist_ok=True)
    log = open(ROOT / ".data" / f"bench-tls-gunicorn-{os.getpid()}.log", "w")  # noqa: SIM115 - closed by stop
    env = dict(os.environ, DJANGO_ENV="development", DJANGO_DEBUG="false", LOG_LEVEL="WARNING")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            WORKERS,
            "--threads",
            THREADS,
            "--worker-class",
            "gthread",
            "--keep-alive",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            status, _ = fetch(http.client.HTTPConnection("127.0.0.1", port, timeout=2), "/healthz")
            if status == 200:
                return proc, log
        except OSError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise SystemExit(f"gunicorn did not start; see {log.name}")
        time.sleep(0.2)


def fetch(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path, headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    return response.status, response.read()


def run(port: int, paths: list[tuple[str, int]]) -> tuple[float, list[float]]:
    """Ask every (path, expected status) once, spread over CONCURRENCY keep-alive connections.
    Returns (seconds for the whole run, each request's latency in seconds)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    chunks = [paths[i::CONCURRENCY] for i in range(CONCURRENCY)]
    start = threading.Barrier(CONCURRENCY + 1)

    def client(chunk):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        start.wait()
        for path, expected in chunk:
            began = time.perf_counter()
            status, _body = fetch(conn, path)
            mine.append(time.perf_counter() - began)
            if status != expected:
                errors.append(f"{path}: {status}, expected {expected}")
                break
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise SystemExit("wrong answers: " + "; ".join(errors[:5]))
    return elapsed, latencies


def report(name: str, elapsed: float, latencies: list[float], **parameters) -> None:
    common = {"requests": len(latencies), "concurrency": CONCURRENCY, "workers": WORKERS, "threads": THREADS}
    emit(f"{name}_requests_per_second", len(latencies) / elapsed, "req/s", **common, **parameters)
    emit(f"{name}_p50", percentile(latencies, 0.50) * 1000, "ms", **common, **parameters)
    emit(f"{name}_p95", percentile(latencies, 0.95) * 1000, "ms", **common, **parameters)


def main() -> None:
    use_fresh_database(os.environ.get("BENCH_DATABASE", "bench_tls_permission"))

    from django.conf import settings

    from tenants.models import Domain, DomainKind, DomainVerification
    from tenants.services import tenant_provision

    prepare_platform()
    tenants = [
        tenant_provision(name=f"TLS Bench {i}", slug=f"tlsbench{i}", kind="agency", admin_email=f"a@tls{i}.test")
        for i in range(TENANTS)
    ]
    Domain.objects.bulk_create(
        Domain(
            tenant=tenants[i % TENANTS],
            domain=f"shop{i}.customer{i % 97}.example",
            kind=DomainKind.CUSTOM,
            is_primary=False,
            verification=DomainVerification.VERIFIED,
        )
        for i in range(DOMAINS)
    )
    platform = settings.PLATFORM_DOMAIN
    ask = "/_tls/permission?domain="

    port = free_port()
    server, log = start_server(port)
    try:
        # Warm every worker's imports and connection first.
        run(port, [("/healthz", 200)] * (CONCURRENCY * 20))

        cached_names = [
            (platform, 200),
            (f"tlsbench0.{platform}", 200),
            (f"tlsbench1.{platform}", 200),
            ("shop1.customer1.example", 200),
            ("shop2.customer2.example", 200),
            ("nobody.example.org", 404),
        ]
        cached = [(ask + name, status) for name, status in cached_names] * (REQUESTS // len(cached_names))
        run(port, cached[: CONCURRENCY * 50])  # fill each worker's cache
        report("tls_permission_cached", *run(port, cached), names=len(cached_names))

        half = REQUESTS // 2
        fresh = [(f"{ask}shop{i}.customer{i % 97}.example", 200) for i in range(DOMAINS - half, DOMAINS)]
        fresh += [(f"{ask}unknown{i}.example.net", 404) for i in range(half)]
        fresh = [pair for both in zip(fresh[:half], fresh[half:], strict=False) for pair in both]
        report("tls_permission_uncached", *run(port, fresh), names=len(fresh), verified_domains=DOMAINS)

        report("healthz", *run(port, [("/healthz", 200)] * REQUESTS), note="same server, for comparison")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


if __name__ == "__main__":
    main()
