from django.urls import path

from . import views

app_name = "objectives"

urlpatterns = [
    path("", views.ObjectiveCascadeView.as_view(), name="cascade"),
    path("mine/", views.ObjectiveMineView.as_view(), name="mine"),
    path("alignment/", views.ObjectiveAlignmentView.as_view(), name="alignment"),
    path("review/", views.ObjectiveReviewView.as_view(), name="review"),
    path("review/close/", views.PeriodCloseView.as_view(), name="period-close"),
    path("new/", views.ObjectiveCreateView.as_view(), name="objective-create"),
    path("<int:pk>/", views.ObjectiveDetailView.as_view(), name="objective-detail"),
    path("<int:pk>/edit/", views.ObjectiveUpdateView.as_view(), name="objective-update"),
    path("<int:pk>/analysis/", views.AnalysisRecordView.as_view(), name="analysis-record"),
    path(
        "<int:pk>/key-results/new/", views.KeyResultCreateView.as_view(), name="key-result-create"
    ),
    path(
        "key-results/<int:pk>/edit/", views.KeyResultUpdateView.as_view(), name="key-result-update"
    ),
    path(
        "key-results/<int:pk>/check-in/",
        views.CheckInCreateView.as_view(),
        name="checkin-create",
    ),
]
