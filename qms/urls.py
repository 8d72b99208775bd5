from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.utils.translation import gettext_lazy
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from actions.api.urls import router as actions_router
from coding.api.urls import router as coding_router
from crm.api.urls import router as crm_router
from customers.api.urls import router as customers_router
from objectives.api.urls import router as objectives_router
from places.api.urls import router as places_router
from requirements.api.urls import router as requirements_router
from research.api.urls import router as research_router
from satisfaction.api.urls import router as satisfaction_router
from surveys.api.urls import router as surveys_router

from .api.urls import router as qms_router
from .observability import metrics_view
from .views import (
    audit,
    branding,
    evidence,
    health,
    home,
    organisation,
    parties,
    reviews,
    system,
    webhooks,
)

app_name = "qms"

qms_patterns = [
    path("", home.HomeView.as_view(), name="home"),
    path(
        "dashboard/settings/",
        home.DashboardSettingsView.as_view(),
        name="dashboard-settings",
    ),
    path("departments/", organisation.DepartmentListView.as_view(), name="department-list"),
    path("departments/new/", organisation.DepartmentCreateView.as_view(), name="department-create"),
    path(
        "departments/<int:pk>/",
        organisation.DepartmentDetailView.as_view(),
        name="department-detail",
    ),
    path(
        "departments/<int:pk>/edit/",
        organisation.DepartmentUpdateView.as_view(),
        name="department-update",
    ),
    path(
        "departments/<int:pk>/delete/",
        organisation.DepartmentDeleteView.as_view(),
        name="department-delete",
    ),
    path(
        "departments/<int:pk>/members/add/",
        organisation.MembershipCreateView.as_view(),
        name="membership-create",
    ),
    path(
        "departments/<int:pk>/members/<int:membership_pk>/remove/",
        organisation.MembershipDeleteView.as_view(),
        name="membership-delete",
    ),
    path("people/", organisation.PersonListView.as_view(), name="person-list"),
    path("people/new/", organisation.PersonCreateView.as_view(), name="person-create"),
    path("people/<int:pk>/", organisation.PersonDetailView.as_view(), name="person-detail"),
    path("people/<int:pk>/edit/", organisation.PersonUpdateView.as_view(), name="person-update"),
    path("history/<slug:model>/<int:pk>/", audit.HistoryView.as_view(), name="history"),
    path("metrics/", audit.MetricListView.as_view(), name="metric-list"),
    path("webhooks/", webhooks.WebhookListView.as_view(), name="webhook-list"),
    path("webhooks/new/", webhooks.WebhookCreateView.as_view(), name="webhook-create"),
    path("webhooks/<int:pk>/", webhooks.WebhookDetailView.as_view(), name="webhook-detail"),
    path("webhooks/<int:pk>/edit/", webhooks.WebhookUpdateView.as_view(), name="webhook-update"),
    path("webhooks/<int:pk>/secret/", webhooks.WebhookSecretView.as_view(), name="webhook-secret"),
    path("messages/", audit.MessageListView.as_view(), name="message-list"),
    path(
        "messages/<int:pk>/resend/",
        audit.MessageResolveView.as_view(resend=True),
        name="message-resend",
    ),
    path(
        "messages/<int:pk>/mark-sent/",
        audit.MessageResolveView.as_view(resend=False),
        name="message-mark-sent",
    ),
    path("system/", system.SystemView.as_view(), name="system"),
    path(
        "system/messages/<int:pk>/retry/",
        system.MessageRetryView.as_view(),
        name="message-retry",
    ),
    path("branding/", branding.BrandingUpdateView.as_view(), name="branding"),
    path("branding/logo/", branding.LogoView.as_view(), name="branding-logo"),
    path("branding/colours.css", branding.BrandStylesView.as_view(), name="branding-css"),
    path("parties/", parties.PartyListView.as_view(), name="party-list"),
    path("parties/grid/", parties.PartyGridView.as_view(), name="party-grid"),
    path("parties/new/", parties.PartyCreateView.as_view(), name="party-create"),
    path("parties/<int:pk>/", parties.PartyDetailView.as_view(), name="party-detail"),
    path("parties/<int:pk>/edit/", parties.PartyUpdateView.as_view(), name="party-update"),
    path("conflicts/", parties.ConflictListView.as_view(), name="conflict-list"),
    path("conflicts/new/", parties.ConflictCreateView.as_view(), name="conflict-create"),
    path("conflicts/<int:pk>/", parties.ConflictDetailView.as_view(), name="conflict-detail"),
    path(
        "conflicts/<int:pk>/decide/", parties.ConflictDecideView.as_view(), name="conflict-decide"
    ),
    path("evidence/", evidence.EvidenceView.as_view(), name="evidence"),
    path("evidence/download/", evidence.EvidenceDownloadView.as_view(), name="evidence-download"),
    path(
        "evidence/packs/<int:pk>/",
        evidence.EvidencePackFileView.as_view(),
        name="evidence-pack-file",
    ),
    path("reviews/", reviews.ReviewListView.as_view(), name="review-list"),
    path("reviews/new/", reviews.ReviewCreateView.as_view(), name="review-create"),
    path("reviews/<int:pk>/", reviews.ReviewDetailView.as_view(), name="review-detail"),
    path("reviews/<int:pk>/pdf/", reviews.ReviewPdfView.as_view(), name="review-pdf"),
    path("reviews/<int:pk>/notes/", reviews.ReviewNotesView.as_view(), name="review-notes"),
    path("reviews/<int:pk>/hold/", reviews.ReviewHoldView.as_view(), name="review-hold"),
    path(
        "reviews/<int:pk>/decisions/new/",
        reviews.DecisionCreateView.as_view(),
        name="decision-create",
    ),
    path("decisions/<int:pk>/close/", reviews.DecisionCloseView.as_view(), name="decision-close"),
    path("impacts/<slug:model>/<int:pk>/", parties.ImpactListView.as_view(), name="impact-list"),
    path(
        "impacts/assessment/<int:pk>/approve/",
        parties.ImpactApproveView.as_view(),
        name="impact-approve",
    ),
]

urlpatterns = [
    path("", include((qms_patterns, "qms"))),
    # Operations (answered by qms.views.health.HealthCheckMiddleware before host checks;
    # listed here so the access sweep and reverse() see them).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view, name="prometheus-metrics"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Password reset by e-mail (Django's views and e-mail, sent in the language the
    # person uses on the portal: the language switcher's cookie, else the browser's).
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            extra_email_context={"site_name": gettext_lazy("QMS portal")}
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # One prefix, four apps: the customer register and, beside it, the requirements
    # register, the research sources and the CRM (their pages kept their addresses).
    path("customers/", include("customers.urls")),
    path("customers/", include("requirements.urls")),
    path("customers/", include("research.urls")),
    path("customers/", include("crm.urls")),
    path("coding/", include("coding.urls")),
    path("s/", include("satisfaction.public_urls")),  # short personal survey links
    path("satisfaction/", include("surveys.urls")),  # survey authoring, same prefix
    path("satisfaction/", include("satisfaction.urls")),
    path("p/", include("places.public_urls")),  # short URLs of places (QR codes)
    path("places/", include("places.urls")),
    path("objectives/", include("objectives.urls")),
    path("actions/", include("actions.urls")),
    path("api/", include(qms_router.urls)),
    path("api/", include(customers_router.urls)),
    path("api/", include(research_router.urls)),
    path("api/", include(coding_router.urls)),
    path("api/", include(requirements_router.urls)),
    path("api/", include(crm_router.urls)),
    path("api/", include(surveys_router.urls)),
    path("api/", include(satisfaction_router.urls)),
    path("api/", include(places_router.urls)),
    path("api/", include(objectives_router.urls)),
    path("api/", include(actions_router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Not public (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]): the docs page sends a
    # signed-out visitor to the sign-in page.
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]

handler403 = "qms.errors.permission_denied"
handler404 = "qms.errors.page_not_found"
handler500 = "qms.errors.server_error"
