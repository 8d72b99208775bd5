from django.urls import path

from . import views

app_name = "research"

urlpatterns = [
    path("research/", views.ParetoView.as_view(), name="pareto"),
    path("tickets/", views.TicketListView.as_view(), name="ticket-list"),
    path("tickets/import/", views.TicketImportView.as_view(), name="ticket-import"),
    path("purchases/", views.PurchaseListView.as_view(), name="purchase-list"),
    path("purchases/import/", views.PurchaseImportView.as_view(), name="purchase-import"),
    path("interviews/", views.InterviewListView.as_view(), name="interview-list"),
    path("interviews/new/", views.InterviewCreateView.as_view(), name="interview-create"),
    path("interviews/<int:pk>/", views.InterviewDetailView.as_view(), name="interview-detail"),
    path("interviews/<int:pk>/edit/", views.InterviewUpdateView.as_view(), name="interview-update"),
    path(
        "interviews/<int:pk>/findings/new/",
        views.FindingCreateView.as_view(),
        name="finding-create",
    ),
    path(
        "interviews/<int:pk>/findings/<int:finding_pk>/delete/",
        views.FindingDeleteView.as_view(),
        name="finding-delete",
    ),
    path("findings/", views.FindingListView.as_view(), name="finding-list"),
]
