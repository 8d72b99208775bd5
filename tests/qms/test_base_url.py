"""E-mailed links point at the address the portal really serves on: `make run` on another
port (QMS_PORT) puts that port in survey links unless QMS_BASE_URL says otherwise."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = "from django.conf import settings; print(settings.QMS_BASE_URL)"


def _base_url(**env_extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("QMS_BASE_URL", "QMS_HOST", "QMS_PORT", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(env_extra)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", SHOW],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_base_url_follows_the_port_make_run_serves_on():
    assert _base_url() == "http://127.0.0.1:8000"
    assert _base_url(QMS_PORT="8010") == "http://127.0.0.1:8010"
    assert _base_url(QMS_HOST="qms.local", QMS_PORT="9000") == "http://qms.local:9000"


def test_an_explicit_base_url_wins_over_host_and_port():
    assert _base_url(QMS_PORT="8010", QMS_BASE_URL="https://qms.example.com") == (
        "https://qms.example.com"
    )
