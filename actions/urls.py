from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("", views.ActionBoardView.as_view(), name="board"),
    path("mine/", views.ActionMineView.as_view(), name="mine"),
    path("new/", views.ActionCreateView.as_view(), name="action-create"),
    path("similar/", views.ActionSimilarView.as_view(), name="similar"),
    path("<int:pk>/", views.ActionDetailView.as_view(), name="action-detail"),
    path("<int:pk>/report/", views.ActionReportView.as_view(), name="action-report"),
    path(
        "<int:pk>/criterion/new/",
        views.ActionCriterionView.as_view(),
        name="criterion-create",
    ),
    path("<int:pk>/<slug:step>/", views.ActionStepView.as_view(), name="action-step"),
    path("measures/<int:pk>/status/", views.MeasureStatusView.as_view(), name="measure-status"),
]
