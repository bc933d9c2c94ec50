"""Production settings refuse to start without what they need, and default to safe values."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
    "from django.conf import settings; "
    "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)"
)


def _run(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PLATFORM_DOMAIN", "DJANGO_DEBUG"}
    }
    env.update(env_overrides)
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True)


PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x" * 50,
    "DATABASE_URL": "postgres://u@h/db",
    "PLATFORM_DOMAIN": "market.example.com",
}


def test_production_without_required_settings_stops_with_a_clear_message():
    result = _run({"DJANGO_ENV": "production"})

    assert result.returncode != 0
    assert "Missing required production settings: SECRET_KEY, DATABASE_URL, PLATFORM_DOMAIN" in result.stderr


def test_production_without_redis_is_refused():
    result = _run(PRODUCTION)

    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_production_defaults_are_safe():
    result = _run({**PRODUCTION, "REDIS_URL": "redis://h:6379/0"})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "31536000"]
