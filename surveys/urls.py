"""Survey authoring pages. Mounted under the same /satisfaction/ prefix as the
satisfaction pages (qms/urls.py), so their paths are the ones they always had."""

from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("surveys/new/", views.SurveyCreateView.as_view(), name="survey-create"),
    path("surveys/<int:pk>/edit/", views.SurveyUpdateView.as_view(), name="survey-update"),
    path(
        "surveys/<int:pk>/new-draft/",
        views.VersionDraftCreateView.as_view(),
        name="version-draft-create",
    ),
    # Alert rules (follow-up cases).
    path(
        "surveys/<int:pk>/alert-rules/new/",
        views.AlertRuleCreateView.as_view(),
        name="alert-rule-create",
    ),
    path(
        "surveys/<int:pk>/alert-rules/<int:rule_pk>/edit/",
        views.AlertRuleUpdateView.as_view(),
        name="alert-rule-update",
    ),
    path(
        "surveys/<int:pk>/alert-rules/<int:rule_pk>/delete/",
        views.AlertRuleDeleteView.as_view(),
        name="alert-rule-delete",
    ),
    path(
        "surveys/<int:pk>/alert-rules/history/",
        views.AlertRuleHistoryView.as_view(),
        name="alert-rule-history",
    ),
    # Versions and questions.
    path("versions/<int:pk>/", views.VersionDetailView.as_view(), name="version-detail"),
    path("versions/<int:pk>/intro/", views.VersionIntroUpdateView.as_view(), name="version-intro"),
    path("versions/<int:pk>/texts/", views.VersionTextsUpdateView.as_view(), name="version-texts"),
    path(
        "versions/<int:pk>/reorder/", views.QuestionReorderView.as_view(), name="question-reorder"
    ),
    path(
        "versions/<int:pk>/library/",
        views.QuestionLibraryAddView.as_view(),
        name="question-library-add",
    ),
    path("versions/<int:pk>/publish/", views.VersionPublishView.as_view(), name="version-publish"),
    path(
        "versions/<int:pk>/questions/new/",
        views.QuestionCreateView.as_view(),
        name="question-create",
    ),
    path("questions/<int:pk>/edit/", views.QuestionUpdateView.as_view(), name="question-update"),
    path("questions/<int:pk>/delete/", views.QuestionDeleteView.as_view(), name="question-delete"),
    path("questions/<int:pk>/move/", views.QuestionMoveView.as_view(), name="question-move"),
    path(
        "questions/<int:pk>/duplicate/",
        views.QuestionDuplicateView.as_view(),
        name="question-duplicate",
    ),
]
