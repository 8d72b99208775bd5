"""The surveys API: surveys with their versions, questions and alert rules, to read
(quality managers and viewers). A survey's answers are served by the satisfaction app at
the same address (`satisfaction/surveys/<id>/responses/`)."""

from django.db.models import Prefetch
from rest_framework import viewsets

from qms.permissions import CanViewAll

from ..models import AlertRule, Question, Survey, SurveyVersion
from .serializers import SurveyDetailSerializer, SurveySerializer


class SurveyViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [CanViewAll]
    serializer_class = SurveySerializer
    filterset_fields = ["purpose", "identity_mode", "code"]

    def get_queryset(self):
        qs = Survey.objects.all().order_by("title", "id")
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch(
                    "versions",
                    queryset=SurveyVersion.objects.order_by("-number").prefetch_related(
                        Prefetch(
                            "questions",
                            queryset=Question.objects.select_related(
                                "show_if_question"
                            ).prefetch_related("choices__topic"),
                        )
                    ),
                ),
                Prefetch("alert_rules", queryset=AlertRule.objects.order_by("question_code", "id")),
            )
        return qs

    def get_serializer_class(self):
        return SurveyDetailSerializer if self.action == "retrieve" else SurveySerializer
