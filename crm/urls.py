from django.urls import path

from . import views

app_name = "crm"

urlpatterns = [
    path("<int:pk>/360/", views.Customer360View.as_view(), name="customer-360"),
    path(
        "<int:pk>/interactions/new/",
        views.InteractionCreateView.as_view(),
        name="interaction-create",
    ),
    path("interactions/import/", views.InteractionImportView.as_view(), name="interaction-import"),
    path(
        "<int:pk>/preferences/new/", views.PreferenceCreateView.as_view(), name="preference-create"
    ),
    path(
        "<int:pk>/preferences/<int:preference_pk>/edit/",
        views.PreferenceUpdateView.as_view(),
        name="preference-update",
    ),
    path(
        "<int:pk>/preferences/<int:preference_pk>/delete/",
        views.PreferenceDeleteView.as_view(),
        name="preference-delete",
    ),
    path("<int:pk>/bookings/new/", views.BookingCreateView.as_view(), name="booking-create"),
    path("bookings/", views.BookingListView.as_view(), name="booking-list"),
    path("bookings/<int:pk>/", views.BookingDetailView.as_view(), name="booking-detail"),
    path("checklist/<int:pk>/tick/", views.ChecklistItemTickView.as_view(), name="checklist-tick"),
    path("complaints/", views.ComplaintListView.as_view(), name="complaint-list"),
    path("<int:pk>/complaints/new/", views.ComplaintCreateView.as_view(), name="complaint-create"),
    path("complaints/<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint-detail"),
    path(
        "complaints/<int:pk>/step/<slug:action>/",
        views.ComplaintStepView.as_view(),
        name="complaint-step",
    ),
    path(
        "complaints/<int:pk>/escalate/",
        views.ComplaintEscalateView.as_view(),
        name="complaint-escalate",
    ),
    path("<int:pk>/export/", views.CustomerExportView.as_view(), name="customer-export"),
    path("<int:pk>/erase/", views.CustomerEraseView.as_view(), name="customer-erase"),
    path(
        "reminders/opt-out/<str:token>/",
        views.ReplenishmentOptOutView.as_view(),
        name="replenishment-opt-out",
    ),
]
