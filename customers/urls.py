from django.urls import path

from . import views
from .requirement_urls import urlpatterns as requirement_urlpatterns

app_name = "customers"

urlpatterns = [
    # Customers
    path("", views.CustomerListView.as_view(), name="customer-list"),
    path("new/", views.CustomerCreateView.as_view(), name="customer-create"),
    path("import/", views.CustomerImportView.as_view(), name="customer-import"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="customer-detail"),
    path("<int:pk>/edit/", views.CustomerUpdateView.as_view(), name="customer-update"),
    path("<int:pk>/consent/", views.ConsentRecordView.as_view(), name="consent-record"),
    path("<int:pk>/contacts/new/", views.ContactCreateView.as_view(), name="contact-create"),
    path(
        "<int:pk>/contacts/<int:contact_pk>/edit/",
        views.ContactUpdateView.as_view(),
        name="contact-update",
    ),
    path(
        "<int:pk>/contacts/<int:contact_pk>/delete/",
        views.ContactDeleteView.as_view(),
        name="contact-delete",
    ),
    # Segments and topics
    path("segments/", views.SegmentListView.as_view(), name="segment-list"),
    path("segments/new/", views.SegmentCreateView.as_view(), name="segment-create"),
    path("topics/", views.TopicListView.as_view(), name="topic-list"),
    path("topics/new/", views.TopicCreateView.as_view(), name="topic-create"),
    path("topics/<int:pk>/edit/", views.TopicUpdateView.as_view(), name="topic-update"),
    # Research sources
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
urlpatterns += requirement_urlpatterns
from .crm_urls import urlpatterns as crm_urlpatterns  # noqa: E402

urlpatterns += crm_urlpatterns
