"""The satisfaction API: surveys and waves to read (quality managers and viewers), the
transactional invitation trigger and the responses export (quality managers)."""

import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qms.permissions import CanViewAll

from .. import selectors, services
from ..models import AlertRule, Answer, Question, Survey, SurveyVersion
from .serializers import (
    AnswerExportSerializer,
    InvitationSerializer,
    SurveyDetailSerializer,
    SurveySerializer,
    TriggerSerializer,
    WaveSerializer,
)


class IsQualityManager(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(
            request.user and request.user.is_authenticated and request.user.is_quality_manager
        )


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

    @extend_schema(responses=AnswerExportSerializer(many=True))
    @action(detail=True, methods=["get"], permission_classes=[IsQualityManager])
    def responses(self, request, pk=None):
        """Answers of the survey, one row per answer (paginated). Customer ids only for
        identified surveys."""
        survey = self.get_object()
        qs = (
            Answer.objects.filter(survey=survey)
            .select_related("response", "segment", "choice", "topic", "survey")
            .order_by("response_id", "id")
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(AnswerExportSerializer(page, many=True).data)


class WaveViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [CanViewAll]
    serializer_class = WaveSerializer
    filterset_fields = ["status", "kind"]

    def get_queryset(self):
        return selectors.wave_list(user=self.request.user)


class InvitationTriggerViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Transactional trigger: ask for one invitation for one customer (e.g. a day after a
    stay). Respects consent and the contact-frequency cap; idempotent per reference."""

    permission_classes = [IsQualityManager]
    serializer_class = TriggerSerializer

    @extend_schema(request=TriggerSerializer, responses=InvitationSerializer)
    def create(self, request, *args, **kwargs):
        serializer = TriggerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invitation, created = services.invitation_request(
            wave=data["wave"],
            customer=data["customer"],
            trigger_ref=data.get("reference", ""),
            send_at=timezone.now() + dt.timedelta(hours=data.get("delay_hours") or 0),
        )
        return Response(
            InvitationSerializer(invitation).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
