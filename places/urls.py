from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("", views.PlaceListView.as_view(), name="place-list"),
    path("new/", views.PlaceCreateView.as_view(), name="place-create"),
    path("held/", views.HeldListView.as_view(), name="held-list"),
    path("held/<int:pk>/accept/", views.HeldAcceptView.as_view(), name="held-accept"),
    path("held/<int:pk>/reject/", views.HeldRejectView.as_view(), name="held-reject"),
    path("<int:pk>/", views.PlaceDetailView.as_view(), name="place-detail"),
    path("<int:pk>/edit/", views.PlaceUpdateView.as_view(), name="place-update"),
    path("<int:pk>/collect/", views.CollectorCreateView.as_view(), name="collector-create"),
    path("collectors/<int:pk>/qr.svg", views.CollectorQrView.as_view(), name="collector-qr"),
    path(
        "collectors/<int:pk>/poster.pdf",
        views.CollectorPosterView.as_view(),
        name="collector-poster",
    ),
    path("collectors/<int:pk>/stop/", views.CollectorStopView.as_view(), name="collector-stop"),
    path("collectors/<int:pk>/kiosk/", views.KioskIssueView.as_view(), name="kiosk-issue"),
    path("kiosks/<int:pk>/revoke/", views.KioskRevokeView.as_view(), name="kiosk-revoke"),
]
