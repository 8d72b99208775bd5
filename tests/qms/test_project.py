"""Project-level guarantees: migrations, deploy settings, demo data, security headers,
language switching, brute-force protection and friendly error pages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from qms.models import Department, Membership, User

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_models_and_migrations_agree():
    result = run_manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_pass_the_deploy_check_with_no_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "DJANGO_SETTINGS_MODULE": "qms.settings.production",
            "SECRET_KEY": "x7$kq!2mZ9@pL4#vR8^tN1&wB6*yC3(eF5)hJ0_uG-oD=sA+iK" * 2,
            "ALLOWED_HOSTS": "qms.example.com",
            # A cache every web process shares (the survey rate limits); nothing connects.
            "CACHE_URL": "rediscache://127.0.0.1:6379/1",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "qms.settings.production"
    env["ALLOWED_HOSTS"] = "qms.example.com"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_demo_loads_the_organisation_and_a_second_run_changes_nothing(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert set(User.objects.values_list("username", flat=True)) >= {
        "quality",
        "frontdesk",
        "housekeeping",
        "staff",
    }
    assert User.objects.get(username="quality").is_quality_manager
    assert Department.objects.get(code="FD").head.username == "frontdesk"
    assert Department.objects.get(code="HK").head.username == "housekeeping"
    assert Membership.objects.filter(user__username="staff", department__code="FD").exists()

    def snapshot():
        from django.apps import apps

        return {
            model._meta.label: model.objects.count()
            for model in apps.get_models()
            if model._meta.app_label
            in {
                "qms",
                "customers",
                "requirements",
                "research",
                "crm",
                "satisfaction",
                "objectives",
                "actions",
            }
        }

    before = snapshot()
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert snapshot() == before


@pytest.mark.django_db
def test_demo_refuses_to_run_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_pages_send_a_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_every_form_needs_a_csrf_token(quality_manager):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(quality_manager, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("qms:department-create"), {"name": "X", "code": "X"})
    assert response.status_code == 403
    assert not Department.objects.filter(code="X").exists()


@pytest.mark.django_db
def test_the_language_switcher_shows_simplified_chinese(client_for, quality_manager):
    client = client_for(quality_manager)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    response = client.get("/")
    assert response.context["LANGUAGE_CODE"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()
    assert "部门" in response.content.decode()  # "Departments" in the navigation


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_for_that_address(
    client, quality_manager, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "qm", "password": "wrong"})
    # Even the right password is refused now.
    response = client.post(reverse("login"), {"username": "qm", "password": "a-test-password-123"})
    assert response.status_code == 429
    assert b"temporarily locked" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_with_the_right_password_works(client, quality_manager):
    response = client.post(
        reverse("login"), {"username": "qm", "password": "a-test-password-123"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("qms:home")
    assert response.context["user"] == quality_manager


@pytest.mark.django_db
def test_a_missing_page_uses_the_portal_layout(client_for, quality_manager):
    response = client_for(quality_manager).get("/no-such-page/")
    assert response.status_code == 404
    assert b"We could not find that page" in response.content


def test_a_server_error_page_needs_no_database():
    from django.test import RequestFactory

    from qms.errors import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
