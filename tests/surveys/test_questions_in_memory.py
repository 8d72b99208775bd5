"""A published version's questions are read once per process: later reads touch neither
the database nor the shared cache; a draft is always read fresh; publishing forgets."""

import pytest
from django.core.cache import cache

from surveys import selectors
from tests.satisfaction.factories import published_survey

pytestmark = pytest.mark.django_db


def test_published_questions_come_from_process_memory(django_assert_num_queries, monkeypatch):
    version = published_survey()
    first = selectors.version_questions(version=version)
    assert [q.code for q in first][:2] == ["nps", "csat"]

    def no_cache(*args, **kwargs):
        raise AssertionError("the shared cache was read")

    monkeypatch.setattr(cache, "get", no_cache)
    with django_assert_num_queries(0):
        again = selectors.version_questions(version=version)
    assert again is first


def test_publishing_forgets_the_version_in_this_process():
    version = published_survey()
    selectors.version_questions(version=version)
    assert any(
        k.startswith(f"satisfaction:questions:{version.pk}:") for k in selectors._local_questions
    )
    selectors.published_questions_forget(version_id=version.pk)
    assert not any(
        k.startswith(f"satisfaction:questions:{version.pk}:") for k in selectors._local_questions
    )


def test_memory_holds_a_bounded_number_of_versions(monkeypatch):
    monkeypatch.setattr(selectors, "LOCAL_QUESTIONS_MAX", 1)
    first, second = published_survey(), published_survey()
    selectors.version_questions(version=first)
    selectors.version_questions(version=second)
    assert len(selectors._local_questions) == 1
