"""The satisfaction API: waves to read (quality managers and viewers), the transactional
invitation trigger and a survey's responses export (quality managers). Surveys
themselves are read through the surveys app's API (surveys/api)."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qms.exceptions import ApplicationError
from qms.permissions import CanViewAll
from surveys.models import Survey, SurveyVersion

from .. import selectors, services
from ..models import Answer, FollowUpCase, Invitation, Wave
from .serializers import (
    AnswerExportSerializer,
    FollowUpCaseSerializer,
    FollowUpStateSerializer,
    InvitationSerializer,
    TriggerSerializer,
    WaveCreateSerializer,
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


class ReadAllWriteQualityManager(permissions.BasePermission):
    """Quality managers and read-only viewers read; only quality managers write."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.can_view_all):
            return False
        return request.method in permissions.SAFE_METHODS or user.is_quality_manager


class WaveViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Waves: create one (a draft of the survey's latest published version), schedule it
    to start at its start time, cancel it before it starts, close it while it runs —
    the wave page's buttons, through the same services."""

    permission_classes = [ReadAllWriteQualityManager]
    serializer_class = WaveSerializer
    filterset_fields = ["status", "kind"]

    def get_queryset(self):
        return selectors.wave_list(user=self.request.user)

    def _wave(self, pk) -> Wave:
        return selectors.wave_get_for_user(user=self.request.user, pk=pk)

    def _answer(self, wave: Wave, code=status.HTTP_200_OK) -> Response:
        return Response(WaveSerializer(self.get_queryset().get(pk=wave.pk)).data, status=code)

    @extend_schema(request=WaveCreateSerializer, responses={201: WaveSerializer})
    def create(self, request, *args, **kwargs):
        payload = WaveCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        survey = data.pop("survey")
        version = (
            survey.versions.filter(status=SurveyVersion.Status.PUBLISHED)
            .order_by("-number")
            .first()
        )
        if version is None:
            raise ApplicationError(_("Publish a version of the survey first."))
        wave = services.wave_create(survey_version=version, created_by=request.user, **data)
        return self._answer(wave, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=WaveSerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        """Start the draft wave: it freezes its audience and sends at its start time
        (at once when that has passed)."""
        return self._answer(services.wave_schedule(wave=self._wave(pk)))

    @extend_schema(request=None, responses=WaveSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a wave that has not started."""
        return self._answer(services.wave_cancel(wave=self._wave(pk)))

    @extend_schema(request=None, responses=WaveSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a running wave: unsent invitations are dropped, open links expire."""
        return self._answer(services.wave_close(wave=self._wave(pk)))


class InvitationFilterSerializer(serializers.Serializer):
    wave = serializers.IntegerField(required=False, min_value=1)
    state = serializers.ChoiceField(choices=Invitation.State.choices, required=False)


class InvitationViewSet(viewsets.ReadOnlyModelViewSet):
    """Invitations and their states (scheduled, sent, opened, started, completed,
    expired, suppressed with its reason…), filtered by wave and state."""

    permission_classes = [CanViewAll]
    serializer_class = InvitationSerializer
    queryset = Invitation.objects.none()  # the schema's model
    filter_backends = []

    def get_queryset(self):
        qs = Invitation.objects.order_by("wave_id", "id")
        if self.action != "list":
            return qs
        params = InvitationFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        if "wave" in data:
            qs = qs.filter(wave_id=data["wave"])
        if "state" in data:
            qs = qs.filter(state=data["state"])
        return qs

    @extend_schema(parameters=[InvitationFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


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


class FollowUpFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[("open", "open"), *FollowUpCase.State.choices],
        required=False,
        help_text="A state, or `open` for new and contacted cases.",
    )
    survey = serializers.IntegerField(required=False, min_value=1)
    wave = serializers.IntegerField(required=False, min_value=1)
    owner = serializers.IntegerField(required=False, min_value=1, help_text="A person's id.")
    overdue = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Open and past its deadline."
    )


class FollowUpCaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Follow-up cases (closing the loop with an unhappy customer), scoped like the
    pages: quality managers and viewers read every case, anyone else the cases they own;
    another's case is a 404. The case's owner and quality managers change its state."""

    serializer_class = FollowUpCaseSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = FollowUpCase.objects.none()  # the schema's model; rows come from the selectors
    filter_backends = []

    def get_queryset(self):
        if self.action != "list":
            return selectors.followup_list(user=self.request.user)
        params = FollowUpFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        return selectors.followup_list(
            user=self.request.user,
            state=data.get("state", ""),
            survey_id=data.get("survey"),
            wave_id=data.get("wave"),
            owner_id=data.get("owner"),
            overdue=data.get("overdue"),
        )

    def get_object(self):
        return selectors.followup_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(parameters=[FollowUpFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=FollowUpStateSerializer, responses=FollowUpCaseSerializer)
    @action(detail=True, methods=["post"])
    def state(self, request, pk=None):
        """Record what happened: contacted, resolved or no action needed (or the same
        state to add a note), with the note appended, as on the case's page."""
        case = self.get_object()
        user = request.user
        if not (user.is_quality_manager or case.owner_id == user.pk):
            raise PermissionDenied
        payload = FollowUpStateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        case = services.followup_update(case=case, **payload.validated_data)
        case = selectors.followup_get_for_user(user=user, pk=case.pk)
        return Response(FollowUpCaseSerializer(case).data)
