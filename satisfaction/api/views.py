"""The satisfaction API: waves to read (quality managers and viewers), the transactional
invitation trigger and a survey's responses export (quality managers). Surveys
themselves are read through the surveys app's API (surveys/api)."""

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qms.permissions import CanViewAll
from surveys.models import Survey

from .. import selectors, services
from ..models import Answer
from .serializers import (
    AnswerExportSerializer,
    InvitationSerializer,
    TriggerSerializer,
    WaveSerializer,
)


class IsQualityManager(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(
            request.user and request.user.is_authenticated and request.user.is_quality_manager
        )


class SurveyResponsesViewSet(viewsets.GenericViewSet):
    """The answers of a survey, at the survey's API address (the surveys app serves the
    survey itself: surveys/api)."""

    permission_classes = [CanViewAll]
    queryset = Survey.objects.all().order_by("title", "id")
    filterset_fields = ["purpose", "identity_mode", "code"]

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
