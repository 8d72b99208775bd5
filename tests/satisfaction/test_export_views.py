"""Export pages: the form on the survey and wave pages, small exports at once, large
ones through the task, the exports list with its polling, downloads and who may do what."""

import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from satisfaction import services
from satisfaction.models import ResponseExport
from tests.satisfaction.factories import answered, published_survey, running_wave

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SATISFACTION_EXPORT_INLINE_MAX = 100
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def wave():
    wave = running_wave(published_survey(code="dining", title="Dining"), name="March")
    answered(wave, {"nps": 9, "comment": "Lovely 好"})
    answered(wave, {"nps": 3, "driver": "food"})
    return wave


@pytest.fixture
def survey(wave):
    return wave.survey_version.survey


def create_url(survey):
    return reverse("satisfaction:export-create", args=[survey.pk])


def list_url(survey):
    return reverse("satisfaction:export-list", args=[survey.pk])


def download_url(export):
    return reverse("satisfaction:export-download", args=[export.survey_id, export.pk])


def built(survey, user, **kwargs) -> ResponseExport:
    export = services.export_request(survey=survey, format="xlsx", requested_by=user, **kwargs)
    services.export_build(export_id=export.pk)
    export.refresh_from_db()
    return export


def test_survey_and_wave_pages_offer_the_export_form(client_for, quality_manager, wave, survey):
    client = client_for(quality_manager)
    page = client.get(reverse("satisfaction:survey-detail", args=[survey.pk])).content.decode()
    assert 'data-testid="export-form"' in page
    assert f'action="{create_url(survey)}"' in page
    assert 'value="xlsx"' in page and 'value="csv"' in page
    assert f'href="{list_url(survey)}"' in page
    page = client.get(reverse("satisfaction:wave-detail", args=[wave.pk])).content.decode()
    assert 'data-testid="export-form"' in page
    assert f'name="wave" value="{wave.pk}"' in page
    assert "Export this wave's responses" in page


def test_viewers_see_no_export_form(client_for, viewer, wave, survey):
    client = client_for(viewer)
    page = client.get(reverse("satisfaction:survey-detail", args=[survey.pk])).content.decode()
    assert 'data-testid="export-form"' not in page
    assert list_url(survey) not in page
    page = client.get(reverse("satisfaction:wave-detail", args=[wave.pk])).content.decode()
    assert 'data-testid="export-form"' not in page


def test_a_small_xlsx_export_downloads_at_once(client_for, quality_manager, survey):
    response = client_for(quality_manager).post(create_url(survey), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="dining-responses.xlsx"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [[c.value for c in row] for row in workbook.worksheets[0].iter_rows()]
    assert len(values) == 5 and "Lovely 好" in [row[10] for row in values]
    assert not ResponseExport.objects.exists()


def test_a_small_csv_export_of_a_wave_streams_at_once(client_for, quality_manager, wave, survey):
    other = running_wave(wave.survey_version, name="April")
    answered(other, {"nps": 10})
    response = client_for(quality_manager).post(
        create_url(survey), {"format": "csv", "wave": other.pk}
    )
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("\ufeff")
    lines = body.strip().splitlines()
    assert len(lines) == 2 and ",April," in lines[1]
    assert f"dining-wave-{other.pk}-responses.csv" in response["Content-Disposition"]


@pytest.mark.parametrize(("inline_max", "inline"), [(4, True), (3, False)])
def test_the_threshold_decides_between_at_once_and_the_task(
    client_for,
    quality_manager,
    survey,
    settings,
    inline_max,
    inline,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from qms.celery import app

    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, args=(), **kw: sent.append((name, args)))
    settings.SATISFACTION_EXPORT_INLINE_MAX = inline_max  # the survey has 4 answers
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(quality_manager).post(
            create_url(survey), {"format": "xlsx"}, follow=True
        )
    if inline:
        assert response["Content-Disposition"].startswith("attachment")
        assert not ResponseExport.objects.exists() and not sent
        return
    export = ResponseExport.objects.get()
    assert (export.state, export.format, export.requested_by) == ("queued", "xlsx", quality_manager)
    assert export.wave is None
    assert sent == [("satisfaction.build_export", [export.pk])]
    assert response.redirect_chain[-1][0] == list_url(survey)
    assert b"being built in the background" in response.content
    assert b'hx-trigger="every 3s"' in response.content


def test_a_large_export_is_listed_then_downloaded(
    client_for, quality_manager, wave, survey, settings
):
    settings.SATISFACTION_EXPORT_INLINE_MAX = 1
    client = client_for(quality_manager)
    client.post(create_url(survey), {"format": "csv", "wave": wave.pk})
    export = ResponseExport.objects.get()
    assert export.wave == wave
    page = client.get(list_url(survey)).content.decode()
    assert f'id="export-{export.pk}"' in page and "Queued" in page
    assert download_url(export) not in page
    # The worker builds it
    services.export_build(export_id=export.pk)
    page = client.get(list_url(survey)).content.decode()
    assert "Ready" in page and download_url(export) in page
    assert "hx-trigger" not in page
    response = client.get(download_url(export))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="dining-wave-{wave.pk}-responses.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("\ufeff") and "Lovely 好" in body


def test_the_list_polls_while_an_export_is_pending_and_htmx_gets_the_table_only(
    client_for, quality_manager, survey
):
    client = client_for(quality_manager)
    empty = client.get(list_url(survey)).content.decode()
    assert "No exports yet — choose a format above" in empty
    export = services.export_request(survey=survey, format="csv", requested_by=quality_manager)
    page = client.get(list_url(survey)).content.decode()
    assert 'hx-trigger="every 3s"' in page
    assert f'href="{list_url(survey)}">Refresh</a>' in page
    partial = client.get(list_url(survey), headers={"HX-Request": "true"})
    assert "HX-Request" in partial["Vary"]
    html = partial.content.decode()
    assert "<html" not in html
    assert 'id="export-table"' in html and 'hx-trigger="every 3s"' in html
    services.export_build(export_id=export.pk)
    html = client.get(list_url(survey), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in html and download_url(export) in html


def test_a_failed_export_shows_its_error(client_for, quality_manager, survey, monkeypatch):
    from satisfaction import exports

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "write_xlsx", broken)
    export = built(survey, quality_manager)
    assert export.state == "failed"
    page = client_for(quality_manager).get(list_url(survey)).content.decode()
    assert "Failed" in page and "disk full" in page
    assert client_for(quality_manager).get(download_url(export)).status_code == 404


@pytest.mark.parametrize("who", ["viewer", "front_desk_head", "front_desk_staff", "outsider"])
def test_only_quality_managers_list_request_or_download_exports(
    request, client_for, quality_manager, survey, who
):
    export = built(survey, quality_manager)
    client = client_for(request.getfixturevalue(who))
    assert client.get(list_url(survey)).status_code == 403
    assert client.post(create_url(survey), {"format": "csv"}).status_code == 403
    assert client.get(download_url(export)).status_code == 403
    assert client.get(reverse("satisfaction:response-export", args=[survey.pk])).status_code == 403
    assert ResponseExport.objects.count() == 1


def test_signed_out_visitors_are_sent_to_the_login_page(client, quality_manager, survey):
    export = built(survey, quality_manager)
    for response in (
        client.get(list_url(survey)),
        client.post(create_url(survey), {"format": "csv"}),
        client.get(download_url(export)),
    ):
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_tampered_ids_and_other_surveys_exports_are_404(client_for, quality_manager, survey):
    export = built(survey, quality_manager)
    other = published_survey(code="other").survey
    client = client_for(quality_manager)
    assert client.get(download_url(export)).status_code == 200
    # an id that does not exist
    url = reverse("satisfaction:export-download", args=[survey.pk, export.pk + 1000])
    assert client.get(url).status_code == 404
    # the export through another survey's URL
    url = reverse("satisfaction:export-download", args=[other.pk, export.pk])
    assert client.get(url).status_code == 404
    # an unknown survey
    assert client.get(list_url(type(survey)(pk=999_999))).status_code == 404


def test_a_wave_of_another_survey_is_refused(client_for, quality_manager, survey):
    stranger = running_wave(published_survey(code="other"))
    response = client_for(quality_manager).post(
        create_url(survey), {"format": "csv", "wave": stranger.pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == list_url(survey)
    assert b"a wave of this survey" in response.content
    assert not ResponseExport.objects.exists()
    response = client_for(quality_manager).post(create_url(survey), {"format": "pdf"})
    assert response.status_code == 302 and not ResponseExport.objects.exists()


def test_expired_and_unfinished_exports_cannot_be_downloaded(
    client_for, quality_manager, survey, media
):
    queued = services.export_request(survey=survey, format="csv", requested_by=quality_manager)
    done = built(survey, quality_manager)
    services.exports_process_due(now=done.next_action_at)
    done.refresh_from_db()
    assert done.state == "expired"
    client = client_for(quality_manager)
    assert client.get(download_url(queued)).status_code == 404
    assert client.get(download_url(done)).status_code == 404
    assert "Expired" in client.get(list_url(survey)).content.decode()


def test_a_missing_file_is_a_404_not_an_error(client_for, quality_manager, survey, media):
    export = built(survey, quality_manager)
    (media / export.file.name).unlink()
    assert client_for(quality_manager).get(download_url(export)).status_code == 404


def test_the_export_form_needs_the_csrf_token(quality_manager, survey):
    client = Client(enforce_csrf_checks=True)
    client.force_login(quality_manager, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(create_url(survey), {"format": "csv"}).status_code == 403
    page = client.get(reverse("satisfaction:survey-detail", args=[survey.pk]))
    token = page.context["csrf_token"]
    response = client.post(create_url(survey), {"format": "csv", "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and response.streaming


def test_the_create_url_takes_no_get(client_for, quality_manager, survey):
    assert client_for(quality_manager).get(create_url(survey)).status_code == 405


def test_the_exports_list_query_count_is_flat(
    client_for, quality_manager, viewer, wave, survey, django_assert_max_num_queries
):
    client = client_for(quality_manager)
    built(survey, quality_manager)
    client.get(list_url(survey))  # warm up the session
    with django_assert_max_num_queries(12) as few:
        assert client.get(list_url(survey)).status_code == 200
    for n in range(8):
        export = built(survey, viewer if n % 2 else quality_manager, wave=wave if n % 3 else None)
        if n % 4 == 0:
            services.export_request(survey=survey, format="csv", requested_by=quality_manager)
        assert export.state == "done"
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(list_url(survey))
    assert page.status_code == 200
    assert page.content.decode().count('data-state="') == 11
