from django.urls import path

from . import views

app_name = "coding"

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("code/", views.QueueCodeView.as_view(), name="queue-code"),
    path("texts/", views.TextListView.as_view(), name="text-list"),
    path("texts/<int:pk>/", views.TextDetailView.as_view(), name="text-detail"),
    path("codings/<int:pk>/remove/", views.CodingRemoveView.as_view(), name="coding-remove"),
    path("model/", views.ModelView.as_view(), name="model"),
    path("model/train/", views.ModelTrainView.as_view(), name="model-train"),
    path("candidates/", views.CandidateListView.as_view(), name="candidate-list"),
    path(
        "candidates/<int:pk>/topic/",
        views.CandidateTopicCreateView.as_view(),
        name="candidate-make-topic",
    ),
    path(
        "candidates/<int:pk>/dismiss/",
        views.CandidateDismissView.as_view(),
        name="candidate-dismiss",
    ),
    path("topics/<int:pk>/keywords/", views.KeywordEditView.as_view(), name="keywords"),
]
