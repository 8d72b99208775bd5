"""Password reset by e-mail: a user who forgot a password sets a new one without the
quality manager (Django's views; the e-mail in the language the person uses)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return UserFactory(username="mia", email="mia@example.com")


def reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_login_page_links_to_the_password_reset(client):
    response = client.get(reverse("login"))
    assert reverse("password_reset").encode() in response.content
    assert b"Forgot your password?" in response.content


def test_a_user_who_forgot_the_password_sets_a_new_one_and_signs_in(client, member):
    # Given a user who asks for a reset with the address the portal knows
    response = client.post(reverse("password_reset"), {"email": "MIA@example.com"}, follow=True)
    assert b'data-testid="reset-sent"' in response.content
    # Then one e-mail goes to that address with a link to set a new password
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mia@example.com"]
    assert "mia" in message.body  # the e-mail reminds the user name too
    assert message.subject == "Password reset on QMS portal"
    link = reset_link(message)
    form_page = client.get(link, follow=True)
    assert b"new_password1" in form_page.content
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-long-passphrase-9", "new_password2": "a-new-long-passphrase-9"},
        follow=True,
    )
    assert b'data-testid="reset-complete"' in done.content
    member.refresh_from_db()
    assert member.check_password("a-new-long-passphrase-9")
    assert not member.check_password(TEST_PASSWORD)
    # And the link works once
    again = client.get(link, follow=True)
    assert b'data-testid="reset-link-invalid"' in again.content
    # And the new password signs in
    signed_in = client.post(
        reverse("login"), {"username": "mia", "password": "a-new-long-passphrase-9"}
    )
    assert signed_in.status_code == 302


def test_an_unknown_address_sends_nothing_and_says_the_same(client, member):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)
    assert b'data-testid="reset-sent"' in response.content  # no hint which addresses exist
    assert mail.outbox == []


def test_an_inactive_user_gets_no_reset_e_mail(client, member):
    member.is_active = False
    member.save()
    client.post(reverse("password_reset"), {"email": "mia@example.com"})
    assert mail.outbox == []


def test_a_weak_new_password_is_refused_with_the_reason(client, member):
    client.post(reverse("password_reset"), {"email": "mia@example.com"})
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "123", "new_password2": "123"}
    )
    assert response.status_code == 200
    assert b"too short" in response.content
    member.refresh_from_db()
    assert member.check_password(TEST_PASSWORD)


def test_the_e_mail_is_in_the_language_the_user_chose_on_the_portal(client, member):
    # The language switcher keeps the choice in a cookie; the e-mail follows it.
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    client.post(reverse("password_reset"), {"email": "mia@example.com"})
    message = mail.outbox[0]
    assert "密码" in message.subject  # "password"
    assert "请访问该页面并选择一个新密码" in message.body


def test_the_e_mail_follows_the_browser_language_without_a_choice(client, member):
    client.post(
        reverse("password_reset"), {"email": "mia@example.com"}, HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    assert "请访问该页面并选择一个新密码" in mail.outbox[0].body
    mail.outbox.clear()
    client.post(reverse("password_reset"), {"email": "mia@example.com"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Please go to the following page and choose a new password" in mail.outbox[0].body
