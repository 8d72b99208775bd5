"""API of corrective actions: the same selectors and services as the pages.

- actions: list and retrieve in the caller's scope; create and the workflow
  (`POST /api/actions/{id}/transition/`) for quality managers;
- measures: list and retrieve in scope; owners, their department heads and quality
  managers change a measure's status (PATCH), anyone else gets 404.
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from qms.permissions import IsQualityManagerOrReadOnly

from .. import selectors, services
from ..models import CorrectiveAction, Measure
from .serializers import (
    ActionCreateSerializer,
    ActionDetailSerializer,
    ActionSerializer,
    ActionTransitionRequestSerializer,
    MeasureSerializer,
)


def _int_param(request, name):
    value = request.query_params.get(name, "")
    return int(value) if value.isdigit() else None


class ActionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsQualityManagerOrReadOnly]
    queryset = CorrectiveAction.objects.none()

    def get_serializer_class(self):
        if self.action == "create":
            return ActionCreateSerializer
        if self.action == "retrieve":
            return ActionDetailSerializer
        if self.action == "transition":
            return ActionTransitionRequestSerializer
        return ActionSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.action_list(
            user=self.request.user,
            status=params.get("status", ""),
            source=params.get("source", ""),
            department_id=_int_param(self.request, "department"),
            owner_id=_int_param(self.request, "owner"),
            overdue=params.get("overdue") in ("1", "true"),
            search=params.get("q", ""),
        )

    def get_object(self):
        return selectors.action_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=ActionCreateSerializer, responses={201: ActionSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ActionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if v not in (None,)}
        created = services.action_create(actor=request.user, **data)
        return Response(ActionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActionTransitionRequestSerializer, responses=ActionSerializer)
    @drf_action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the action along the workflow (quality managers); guards give 400."""
        target = self.get_object()
        serializer = ActionTransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        moved = services.action_transition(
            actor=request.user, action=target, **serializer.validated_data
        )
        return Response(ActionSerializer(moved).data)


class MeasureViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MeasureSerializer
    queryset = Measure.objects.none()
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.measure_list(
            user=self.request.user, action_id=_int_param(self.request, "action")
        )

    def get_object(self):
        return selectors.measure_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def perform_update(self, serializer):
        measure = serializer.instance
        if not services.can_update_measure(self.request.user, measure):
            if self.request.user.can_view_all:
                raise PermissionDenied
            raise Http404
        serializer.instance = services.measure_set_status(
            actor=self.request.user,
            measure=measure,
            status=serializer.validated_data.get("status", measure.status),
        )
