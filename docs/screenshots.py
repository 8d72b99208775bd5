"""The README's screenshots, made from the demo organisation.

    .venv/bin/python docs/screenshots.py

Loads the demo into a throwaway SQLite database, gives it a name and a colour, starts the
development server on a free port, and saves with Chromium (Playwright driving Debian's
/usr/bin/chromium, or QMS_CHROMIUM):

    docs/img/dashboard.png      the quality manager's home page (desktop)
    docs/img/builder.png        the survey builder: a version's questions and live preview (desktop)
    docs/img/survey-phone.png   a customer's survey page on a phone

Nothing outside the temporary directory and docs/img/ is touched. Chinese text needs a
CJK font on the machine (e.g. `apt-get install fonts-wqy-microhei`).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"
CHROMIUM = os.environ.get("QMS_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "demo-quality-2026"  # the demo's public password (load_demo)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(env: dict) -> dict:
    """Migrate, load the demo, brand it; return the pages to photograph."""
    script = """
import json, secrets
from django.core.management import call_command
from qms import branding
from satisfaction.models import Invitation, InvitationLink
from satisfaction.services._common import hash_token
call_command("migrate", verbosity=0)
call_command("load_demo", verbosity=0)
branding.branding_update(
    name="Harbour View Hotel", main_colour="#0f5c6e",
    contact_email="guest.care@harbourview.example", contact_phone="+86 21 5555 0100",
)
# A fresh personal link to an open invitation of the demo (only its hash is stored)
import datetime as dt
from django.utils import timezone
invitation = (
    Invitation.objects.exclude(state__in=["completed", "suppressed", "scheduled", "failed"])
    .order_by("-language", "id").select_related("wave__survey_version").first()
    or Invitation.objects.select_related("wave__survey_version").order_by("id").first()
)
Invitation.objects.filter(pk=invitation.pk).update(
    state="sent", language="en", expires_at=timezone.now() + dt.timedelta(days=14)
)
token = secrets.token_urlsafe(32)
InvitationLink.objects.create(invitation=invitation, token_hash=hash_token(token), step=9)
from surveys.models import SurveyVersion
builder = (
    SurveyVersion.objects.filter(status="draft").order_by("id").first()
    or invitation.wave.survey_version
)
print(json.dumps({"token": token, "version": builder.pk}))
"""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"preparing the demo failed:\n{done.stderr[-3000:]}")

    return json.loads(done.stdout.strip().splitlines()[-1])


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server at {url} did not answer")


def shoot(base: str, found: dict) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        desktop = browser.new_context(base_url=base, viewport={"width": 1280, "height": 860})
        page = desktop.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("quality")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "dashboard.png")
        page.goto(f"/satisfaction/versions/{found['version']}/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "builder.png")
        phone = browser.new_context(
            base_url=base,
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
        page = phone.new_page()
        page.goto(f"/s/{found['token']}/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "survey-phone.png")
        browser.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "qms.settings.local",
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "MEDIA_ROOT": f"{tmp}/media",
            "EMAIL_URL": f"filemail://{tmp}/mail",
            "QMS_PORT": str(port),
        }
        env.pop("REDIS_URL", None)
        found = prepare(env)
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/accounts/login/")
            shoot(base, found)
        finally:
            server.terminate()
            server.wait(timeout=10)
    for name in ("dashboard", "builder", "survey-phone"):
        path = OUT / f"{name}.png"
        shrink(path)
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


def shrink(path: Path) -> None:
    """A 256-colour PNG: a third of the size, and screenshots of flat pages look the same."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


if __name__ == "__main__":
    main()
