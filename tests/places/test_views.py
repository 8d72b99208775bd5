"""Staff pages of places: who may create and read, the QR code's content, the poster PDF,
the held answers page, the metrics registry's place filter, and query counts."""

import io

import pytest
import segno
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from places import codes, services
from places.models import Collector, Place
from qms.models import Branding
from tests.places.factories import make_collector, make_place
from tests.satisfaction.factories import published_survey

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_a_quality_manager_creates_a_place_and_collects_a_survey_there(quality_manager, front_desk):
    version = published_survey()
    client = signed_in(quality_manager)
    response = client.post(
        reverse("places:place-create"),
        {"name": "Front desk", "department": front_desk.pk, "segment": "", "description": ""},
    )
    place = Place.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("places:place-detail", args=[place.pk])
    page = client.get(reverse("places:collector-create", args=[place.pk])).content.decode()
    # The survey is picked by its title, never a code.
    assert f"{version.survey.title}, version 1" in page
    response = client.post(
        reverse("places:collector-create", args=[place.pk]), {"survey_version": version.pk}
    )
    assert response.status_code == 302
    collector = Collector.objects.get()
    assert collector.wave.status == "running" and collector.wave.segment is None
    detail = client.get(reverse("places:place-detail", args=[place.pk])).content.decode()
    assert codes.collector_url(collector) in detail
    assert reverse("places:collector-poster", args=[collector.pk]) + "?size=a6" in detail


def test_a_duplicate_place_name_is_a_form_error(quality_manager, front_desk):
    make_place(department=front_desk, name="Front desk")
    response = signed_in(quality_manager).post(
        reverse("places:place-create"), {"name": "front desk", "department": front_desk.pk}
    )
    assert response.status_code == 200
    assert "already has a place with this name" in response.content.decode()


def test_heads_read_their_department_only_and_do_not_create(
    front_desk, housekeeping, front_desk_head
):
    mine = make_place(department=front_desk, name="Lobby")
    theirs = make_place(department=housekeeping, name="Corridor")
    client = signed_in(front_desk_head)
    listing = client.get(reverse("places:place-list")).content.decode()
    assert "Lobby" in listing and "Corridor" not in listing
    assert client.get(reverse("places:place-detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("places:place-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("places:place-create")).status_code == 403


def test_the_qr_code_carries_the_short_url(quality_manager, front_desk, settings):
    settings.QMS_BASE_URL = "https://feedback.example.com"
    collector = make_collector(department=front_desk)
    url = codes.collector_url(collector)
    assert url == f"https://feedback.example.com/p/{collector.code}/"
    qr = codes.collector_qr(collector)
    # The code's modules are those of the URL encoded on its own: the content is the URL.
    assert qr.matrix == segno.make(url, error="m", micro=False).matrix
    assert qr.error == "M"
    response = signed_in(quality_manager).get(reverse("places:collector-qr", args=[collector.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=8, border=4, xmldecl=True)
    assert response.content == out.getvalue()


@pytest.mark.parametrize("size,width_mm", [("a5", 148), ("a6", 105)])
def test_the_poster_pdf_names_the_organisation_and_asks_in_both_languages(
    quality_manager, front_desk, size, width_mm
):
    Branding.objects.update_or_create(pk=1, defaults={"name": "Harbour Hotel"})
    from django.core.cache import cache

    cache.clear()
    collector = make_collector(department=front_desk, name="Lobby")
    response = signed_in(quality_manager).get(
        reverse("places:collector-poster", args=[collector.pk]), {"size": size}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    page = reader.pages[0]
    assert round(float(page.mediabox.width) / 72 * 25.4) == width_mm
    text = page.extract_text()
    assert "Harbour Hotel" in text and "Lobby" in text
    assert "Scan to tell us how we did" in text
    assert codes.collector_url(collector) in text
    assert page.images  # the QR code


def test_an_unknown_poster_size_is_404(quality_manager, front_desk):
    collector = make_collector(department=front_desk)
    response = signed_in(quality_manager).get(
        reverse("places:collector-poster", args=[collector.pk]), {"size": "a0"}
    )
    assert response.status_code == 404


def test_stopping_a_collector(quality_manager, front_desk):
    collector = make_collector(department=front_desk)
    client = signed_in(quality_manager)
    stop = reverse("places:collector-stop", args=[collector.pk])
    assert "Stop collecting" in client.get(stop).content.decode()
    assert client.post(stop).status_code == 302
    collector.refresh_from_db()
    assert not collector.active and collector.wave.status == "closed"


def test_held_answers_page_in_words_and_decisions(
    settings, front_desk, front_desk_head, front_desk_staff
):
    settings.PLACES_SUSPECT = {"burst": 1, "identical": 100, "window_minutes": 10}
    collector = make_collector(department=front_desk)
    for nps in (9, 2):
        services.place_submit(
            collector=collector,
            draft={"nps": nps, "driver": "queue"} if nps < 7 else {"nps": nps},
            language="en",
            address="same",
        )
    held = collector.responses.get(state="held")
    client = signed_in(front_desk_head)
    page = client.get(reverse("places:held-list")).content.decode()
    assert "Long queue" in page and "How likely are you to recommend us?" in page
    # Staff read but do not decide.
    staff = signed_in(front_desk_staff)
    staff.post(reverse("places:held-accept", args=[held.pk]))
    held.refresh_from_db()
    assert held.state == "held"
    assert client.post(reverse("places:held-accept", args=[held.pk])).status_code == 302
    held.refresh_from_db()
    assert held.state == "accepted" and held.response is not None


def test_place_filter_in_the_metrics_registry(front_desk):
    from qms.registry import Period, param_kinds, registry

    collector = make_collector(department=front_desk, name="Lobby")
    other = make_collector(department=front_desk, name="Bar")
    for nps in (10, 10, 3):
        services.place_submit(
            collector=collector,
            draft={"nps": nps, "driver": "queue"} if nps < 7 else {"nps": nps},
            language="en",
            address=str(nps) + "x" * nps,
        )
    services.place_submit(collector=other, draft={"nps": 0}, language="en", address="a")
    year = Period.parse("2026")
    lobby = registry.compute("place_nps", period=year, place=str(collector.place_id))
    assert (lobby.n, round(lobby.value, 1)) == (3, 33.3)
    assert registry.compute("place_nps", period=year).n == 4
    share = registry.compute("place_driver_share", period=year, place=str(collector.place_id))
    assert (share.n, share.value) == (1, 100.0)
    assert (str(collector.place_id), "Lobby (Front desk)") in param_kinds.choices("place")
    assert registry.describe("place_nps", {"place": str(collector.place_id)}).endswith("Lobby")


def test_place_list_query_count_does_not_grow(
    quality_manager, front_desk, django_assert_max_num_queries
):
    client = signed_in(quality_manager)
    make_collector(department=front_desk, name="One")
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("places:place-list")).status_code == 200
    for n in range(5):
        make_collector(department=front_desk, name=f"Place {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("places:place-list")).status_code == 200


def test_a_viewer_cannot_decide_on_held_answers(settings, viewer, front_desk):
    settings.PLACES_SUSPECT = {"burst": 0, "identical": 100, "window_minutes": 10}
    collector = make_collector(department=front_desk)
    services.place_submit(collector=collector, draft={"nps": 9}, language="en", address="a")
    held = collector.responses.get(state="held")
    client = signed_in(viewer)
    assert client.post(reverse("places:held-accept", args=[held.pk])).status_code == 404
    held.refresh_from_db()
    assert held.state == "held"
