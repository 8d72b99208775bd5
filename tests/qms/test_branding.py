"""The organisation's branding: the quality manager sets name, logo, main colour and a
contact; customers see them on the survey pages and in the e-mails (HTML with a plain-text
alternative); the text on the main colour always reads (black or white, AA)."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from qms import branding, services
from qms.models import Branding, Message
from tests.satisfaction.factories import consenting_customer, sent_invitation

pytestmark = pytest.mark.django_db


def png(size=(120, 40), colour="navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def save_branding(client, **extra):
    data = {
        "name": "Harbour View Hotel",
        "main_colour": "#7a1f3d",
        "contact_email": "care@harbourview.example",
        "contact_phone": "+86 21 5555 0100",
        **extra,
    }
    return client.post(reverse("qms:branding"), data)


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#0b5ed7", "#ffffff"),
        ("#ffd700", "#000000"),
        ("#7a1f3d", "#ffffff"),
        ("#ffffff", "#000000"),
    ],
)
def test_the_text_on_the_main_colour_is_the_more_readable_of_black_and_white(background, text):
    assert branding.text_colour_on(background) == text
    assert branding.contrast_ratio(background, text) >= 4.5


def test_every_main_colour_gets_text_that_passes_aa():
    steps = range(0, 256, 17)
    colours = [f"#{r:02x}{g:02x}{b:02x}" for r in steps for g in steps for b in steps]
    assert min(branding.contrast_ratio(c, branding.text_colour_on(c)) for c in colours) >= 4.5


@pytest.mark.parametrize("colour", ["#ffd700", "#7fffd4", "#0b5ed7", "#ffffff", "#000000"])
def test_the_answer_buttons_colour_reads_on_white(colour):
    accent = branding.accent_on_white(colour)
    assert branding.contrast_ratio(accent, "#ffffff") >= 4.5
    if branding.contrast_ratio(colour, "#ffffff") >= 4.5:
        assert accent == colour  # a colour that reads already is kept as it is


def test_the_quality_manager_sets_the_branding_and_customers_see_it(
    client_for, quality_manager, client
):
    logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    response = save_branding(client_for(quality_manager), logo_upload=logo)
    assert response.status_code == 302
    brand = branding.current()
    assert (brand.name, brand.colour, brand.text_colour, brand.has_logo) == (
        "Harbour View Hotel",
        "#7a1f3d",
        "#ffffff",
        True,
    )
    _invitation, token = sent_invitation()
    page = client.get(reverse("satisfaction:respond", args=[token])).content.decode()
    assert 'data-testid="brand-name">Harbour View Hotel<' in page
    assert 'data-testid="brand-logo"' in page
    assert "care@harbourview.example" in page
    css = client.get(reverse("qms:branding-css")).content.decode()
    assert "--qms-brand: #7a1f3d;" in css
    assert "--qms-brand-text: #ffffff;" in css
    logo_response = client.get(reverse("qms:branding-logo"))
    assert logo_response["Content-Type"] == "image/png"
    assert logo_response["X-Content-Type-Options"] == "nosniff"
    assert logo_response.content == png()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.png", b"<html><script>alert(1)</script></html>", "must be a PNG"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "must be a PNG"),
        ("big.png", png(size=(2000, 2000), colour=None) + b"0" * 400_000, "at most 300 KB"),
    ],
)
def test_a_logo_that_is_no_small_image_is_refused_with_the_reason(
    client_for, quality_manager, name, content, message
):
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = save_branding(client_for(quality_manager), logo_upload=upload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Branding.objects.exclude(logo_type="").exists()


def test_a_colour_that_is_not_a_colour_is_refused(client_for, quality_manager):
    response = save_branding(client_for(quality_manager), main_colour="red; }")
    assert response.status_code == 200
    assert not Branding.objects.exists()


def test_only_the_quality_manager_edits_the_branding(client_for, viewer, front_desk_head):
    for user in (viewer, front_desk_head):
        assert save_branding(client_for(user)).status_code == 403


def test_survey_emails_are_html_in_the_branding_with_a_plain_text_alternative(
    client_for, quality_manager
):
    save_branding(client_for(quality_manager))
    message = services.message_queue(
        key="test:1",
        kind="survey_invitation",
        recipient="guest@example.com",
        subject="Hotel stay: tell us how we did",
        body="Dear Ann,\n\nhttps://qms.example.com/s/abc/\n\n<b>not bold</b>\n",
    )
    assert services.message_send(message_id=message.pk)
    email = mail.outbox[-1]
    assert email.body.startswith("Dear Ann,")
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert "Harbour View Hotel" in html
    assert "background:#7a1f3d;color:#ffffff" in html
    assert '<a href="https://qms.example.com/s/abc/"' in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html
    assert "care@harbourview.example" in html
    assert '<html lang="en">' in html
    assert Message.objects.get(pk=message.pk).status == "sent"
    chinese = services.message_queue(
        key="test:2",
        kind="survey_invitation",
        recipient="wei@example.com",
        subject="酒店住宿：请告诉我们",
        body="尊敬的客户：\n\nhttps://qms.example.com/s/def/\n",
    )
    services.message_send(message_id=chinese.pk)
    assert '<html lang="zh-hans">' in mail.outbox[-1].alternatives[0][0]


def test_an_unknown_link_speaks_both_languages_and_names_a_contact(
    client_for, quality_manager, client
):
    save_branding(client_for(quality_manager))
    page = client.get(reverse("satisfaction:respond", args=["no-such-link"]))
    html = page.content.decode()
    assert page.status_code == 404
    assert "We do not recognise this link" in html
    assert "我们无法识别此链接" in html
    assert "care@harbourview.example" in html
    assert "Harbour View Hotel" in html
    only_chinese = client.get(
        reverse("satisfaction:respond", args=["no-such-link"]) + "?lang=zh-hans"
    )
    assert "We do not recognise this link" not in only_chinese.content.decode()


def test_a_used_link_speaks_the_customers_language(client):
    invitation, token = sent_invitation(customer=consenting_customer(language="zh-hans"))
    invitation.state = "completed"
    invitation.save(update_fields=["state"])
    page = client.get(reverse("satisfaction:respond", args=[token]))
    assert page.status_code == 410
    assert 'lang="zh-hans"' in page.content.decode()
