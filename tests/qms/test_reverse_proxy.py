"""Client addresses behind a real reverse proxy: Debian's nginx in front of the live server.

nginx passes each client's address in X-Forwarded-For ($proxy_add_x_forwarded_for), the
portal trusts one proxy (TRUSTED_PROXY_COUNT=1). Two clients behind the proxy (127.0.0.2
and 127.0.0.3, both loopback on Linux) keep separate login lockouts and survey rate
limits, and a client that writes its own X-Forwarded-For cannot choose its address,
neither through the proxy nor talking to the portal directly (TRUSTED_PROXY_COUNT=0).

Without nginx the test is skipped locally with a clear reason; CI (QMS_REQUIRE_BROWSER=1,
set by .ci/run, which installs nginx) turns a missing nginx into a failure.
"""

import http.client
import os
import shutil
import socket
import subprocess
import time
import urllib.parse
from http.cookies import SimpleCookie

import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD, QualityManagerFactory

NGINX = os.environ.get("QMS_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
CLIENT_A = "127.0.0.2"
CLIENT_B = "127.0.0.3"

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("nginx did not start listening")


@pytest.fixture
def nginx(live_server, tmp_path):
    """nginx as an unprivileged process on a free port, proxying to the live server;
    yields the proxy's port."""
    if not (os.path.isfile(NGINX) and os.access(NGINX, os.X_OK)):
        if os.environ.get("QMS_REQUIRE_BROWSER"):
            pytest.fail(f"nginx not found at {NGINX} (apt-get install nginx)")
        pytest.skip(f"nginx not found at {NGINX}: apt-get install nginx")
    upstream = urllib.parse.urlsplit(live_server.url)
    port = _free_port()
    user = "user root;" if os.geteuid() == 0 else ""  # workers may not drop to nobody
    temp = "\n".join(
        f"  {name}_temp_path {tmp_path / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = tmp_path / "nginx.conf"
    config.write_text(
        f"""{user}
worker_processes 1;
daemon off;
pid {tmp_path / "nginx.pid"};
error_log {tmp_path / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
{temp}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://127.0.0.1:{upstream.port};
      proxy_set_header Host 127.0.0.1;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }}
  }}
}}
"""
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(config), "-e", str(tmp_path / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_port(port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Client:
    """A browser-like HTTP client with its own source address and cookies."""

    def __init__(self, source: str, port: int, forwarded_for: str = ""):
        self.source, self.port, self.forwarded_for = source, port, forwarded_for
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields: dict | None = None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.source, 0)
        )
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status
        finally:
            connection.close()

    def log_in(self, username: str, password: str) -> int:
        """The login form: 302 signed in, 200 refused, 429 locked out."""
        url = reverse("login")
        if "csrftoken" not in self.cookies:
            self.request("GET", url)
        token = self.cookies["csrftoken"]
        return self.request(
            "POST",
            url,
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
        )


@pytest.fixture
def manager():
    return QualityManagerFactory(username="qm")


def lock_out(client: Client, username: str, settings) -> None:
    """Fail as often as the limit allows: refused each time, locked out on the last."""
    statuses = [
        client.log_in(username, "wrong password") for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


def test_two_clients_behind_the_proxy_keep_separate_login_lockouts(nginx, manager, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    stranger = Client(CLIENT_A, nginx)
    lock_out(stranger, "qm", settings)
    assert stranger.log_in("qm", TEST_PASSWORD) == 429

    # The quality manager, behind the same proxy, is not locked out by the stranger.
    assert Client(CLIENT_B, nginx).log_in("qm", TEST_PASSWORD) == 302

    # Writing another address into X-Forwarded-For does not free the stranger: nginx
    # appends the real one, and the portal reads the right-most entry.
    forger = Client(CLIENT_A, nginx, forwarded_for=CLIENT_B)
    assert forger.log_in("qm", TEST_PASSWORD) == 429


def test_two_clients_behind_the_proxy_keep_separate_survey_rate_limits(nginx, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SATISFACTION_RATE_LIMITS = {"ip": (3, 60), "token": (1000, 60)}
    first, second = Client(CLIENT_A, nginx), Client(CLIENT_B, nginx)
    guesses = [first.request("GET", f"/s/guess-{n}/") for n in range(5)]
    assert guesses == [404, 404, 404, 429, 429]
    assert second.request("GET", "/s/guess-b/") == 404
    assert Client(CLIENT_A, nginx, forwarded_for="198.51.100.7").request("GET", "/s/x/") == 429


def test_a_forged_forwarded_for_sent_directly_does_not_choose_the_address(
    live_server, manager, settings
):
    settings.TRUSTED_PROXY_COUNT = 0  # the default: the portal is reached directly
    port = urllib.parse.urlsplit(live_server.url).port
    # Each failure claims another address; all are counted against the real one.
    attacker = Client(CLIENT_A, port)
    statuses = []
    for n in range(settings.AXES_FAILURE_LIMIT):
        attacker.forwarded_for = f"203.0.113.{n + 1}"
        statuses.append(attacker.log_in("qm", "wrong password"))
    assert statuses[-1] == 429
    attacker.forwarded_for = CLIENT_B
    assert attacker.log_in("qm", TEST_PASSWORD) == 429
    assert Client(CLIENT_B, port).log_in("qm", TEST_PASSWORD) == 302

    settings.SATISFACTION_RATE_LIMITS = {"ip": (2, 60), "token": (1000, 60)}
    statuses = [
        Client(CLIENT_A, port, forwarded_for=f"203.0.113.{n}").request("GET", f"/s/g{n}/")
        for n in range(4)
    ]
    assert statuses == [404, 404, 429, 429]
