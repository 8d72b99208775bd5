"""URLs of the requirements register and deployment, under /customers/ (qms/urls.py)."""

from django.urls import path

from . import views

app_name = "requirements"

urlpatterns = [
    path("requirements/", views.RequirementListView.as_view(), name="requirement-list"),
    path("requirements/new/", views.RequirementCreateView.as_view(), name="requirement-create"),
    path(
        "requirements/<int:pk>/",
        views.RequirementDetailView.as_view(),
        name="requirement-detail",
    ),
    path(
        "requirements/<int:pk>/trace/",
        views.RequirementTraceView.as_view(),
        name="requirement-trace",
    ),
    path(
        "review-decisions/<int:pk>/cite/",
        views.DecisionCiteView.as_view(),
        name="decision-cite",
    ),
    path(
        "decision-citations/<int:pk>/remove/",
        views.CitationRemoveView.as_view(),
        name="citation-remove",
    ),
    path(
        "requirements/<int:pk>/edit/",
        views.RequirementUpdateView.as_view(),
        name="requirement-update",
    ),
    path(
        "requirements/<int:pk>/submit/",
        views.RequirementActionView.as_view(action="submit"),
        name="requirement-submit",
    ),
    path(
        "requirements/<int:pk>/review/",
        views.RequirementReviewView.as_view(),
        name="requirement-review",
    ),
    path(
        "requirements/<int:pk>/accept/",
        views.RequirementActionView.as_view(action="accept"),
        name="requirement-accept",
    ),
    path(
        "requirements/<int:pk>/deploy/",
        views.RequirementActionView.as_view(action="deploy"),
        name="requirement-deploy",
    ),
    path(
        "requirements/<int:pk>/retire/",
        views.RequirementRetireView.as_view(),
        name="requirement-retire",
    ),
    path(
        "requirements/<int:pk>/deployments/new/",
        views.DeploymentCreateView.as_view(),
        name="deployment-create",
    ),
    path("deployments/<int:pk>/", views.DeploymentDetailView.as_view(), name="deployment-detail"),
    path(
        "deployments/<int:pk>/edit/",
        views.DeploymentUpdateView.as_view(),
        name="deployment-update",
    ),
    path(
        "deployments/<int:pk>/acknowledge/",
        views.DeploymentAcknowledgeView.as_view(),
        name="deployment-acknowledge",
    ),
    path("deployments/<int:pk>/read/", views.BriefReadView.as_view(), name="brief-read"),
    path("needs/", views.BriefListView.as_view(), name="brief-list"),
    path("coverage/", views.CoverageListView.as_view(), name="coverage-list"),
    path(
        "coverage/<int:pk>/",
        views.DepartmentCoverageView.as_view(),
        name="coverage-department",
    ),
]
