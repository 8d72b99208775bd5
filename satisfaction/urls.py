from django.urls import path

from . import public_views, views

app_name = "satisfaction"

urlpatterns = [
    # The customer's side (no login). Suggested short mount: /s/<token>/ (see the report).
    path("s/test/<str:token>/", public_views.TrialRespondView.as_view(), name="trial"),
    path("s/<str:token>/", public_views.RespondView.as_view(), name="respond"),
    path("s/<str:token>/opt-out/", public_views.OptOutView.as_view(), name="opt-out"),
    # Surveys (authoring pages: surveys/urls.py, mounted under the same prefix).
    path("", views.SurveyListView.as_view(), name="survey-list"),
    path("surveys/<int:pk>/", views.SurveyDetailView.as_view(), name="survey-detail"),
    path("surveys/<int:pk>/analysis/", views.SurveyAnalysisView.as_view(), name="survey-analysis"),
    path("surveys/<int:pk>/comments/", views.SurveyCommentListView.as_view(), name="comment-list"),
    path(
        "surveys/<int:pk>/responses.csv",
        views.SurveyResponseExportView.as_view(),
        name="response-export",
    ),
    path("surveys/<int:pk>/exports/", views.ResponseExportListView.as_view(), name="export-list"),
    path(
        "surveys/<int:pk>/exports/new/",
        views.ResponseExportCreateView.as_view(),
        name="export-create",
    ),
    path(
        "surveys/<int:pk>/exports/<int:export_pk>/download/",
        views.ResponseExportDownloadView.as_view(),
        name="export-download",
    ),
    path("surveys/<int:pk>/waves/new/", views.WaveCreateView.as_view(), name="wave-create"),
    path("versions/<int:pk>/preview/", views.VersionPreviewView.as_view(), name="version-preview"),
    path(
        "versions/<int:pk>/test-invitation/",
        views.VersionTestInvitationView.as_view(),
        name="version-test-invitation",
    ),
    # Waves.
    path("waves/<int:pk>/", views.WaveDetailView.as_view(), name="wave-detail"),
    path("waves/<int:pk>/action/", views.WaveActionView.as_view(), name="wave-action"),
    path(
        "waves/<int:pk>/invitations/",
        views.WaveInvitationListView.as_view(),
        name="invitation-list",
    ),
    # Follow-up cases.
    path("follow-ups/", views.FollowUpListView.as_view(), name="followup-list"),
    path("follow-ups/<int:pk>/", views.FollowUpDetailView.as_view(), name="followup-detail"),
]
