"""The customer's survey links, ready to be mounted at a short path. The project's
urls.py can add `path("s/", include("satisfaction.public_urls"))`; until then the same
views answer under /satisfaction/s/ (satisfaction/urls.py). E-mails use the short path
as soon as it is mounted (`services.survey_url`)."""

from django.urls import path

from . import public_views

app_name = "survey"

urlpatterns = [
    # A test invitation's link: the page, answers checked, nothing stored.
    path("test/<str:token>/", public_views.TrialRespondView.as_view(), name="trial"),
    path("<str:token>/", public_views.RespondView.as_view(), name="respond"),
    path("<str:token>/opt-out/", public_views.OptOutView.as_view(), name="opt-out"),
]
