"""API of quality objectives: the same selectors and services as the pages.

Check-ins are append-only: the endpoint lists, reads and creates; PUT, PATCH and DELETE
are not routed (405)."""

from django.http import Http404
from rest_framework import mixins, viewsets
from rest_framework.permissions import SAFE_METHODS

from .. import selectors, services
from ..models import Objective
from .serializers import (
    CheckInSerializer,
    KeyResultSerializer,
    KeyResultUpdateSerializer,
    ObjectiveSerializer,
    ObjectiveUpdateSerializer,
)


def _int_param(request, name):
    value = request.query_params.get(name, "")
    return int(value) if value.isdigit() else None


class ObjectiveViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Objectives in the caller's scope. Quality managers create organisation objectives;
    quality managers and department heads create and change their department's."""

    serializer_class = ObjectiveSerializer
    queryset = Objective.objects.none()

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ObjectiveUpdateSerializer
        return ObjectiveSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.objective_list(
            user=self.request.user,
            period_label=params.get("period", ""),
            department_id=_int_param(self.request, "department"),
            level=params.get("level", ""),
        ).prefetch_related("requirements")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        selectors.attach_progress(page if page is not None else queryset)
        return page

    def get_object(self):
        objective = selectors.objective_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        if self.request.method not in SAFE_METHODS and not selectors.can_edit_objective(
            self.request.user, objective
        ):
            raise Http404  # before the body is read: a change is refused, not mis-validated
        return objective

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.objective_create(actor=self.request.user, **data)
        selectors.attach_progress([serializer.instance])

    def perform_update(self, serializer):
        if not selectors.can_edit_objective(self.request.user, serializer.instance):
            raise Http404
        data = dict(serializer.validated_data)
        serializer.instance = services.objective_update(
            actor=self.request.user, objective=serializer.instance, **data
        )
        selectors.attach_progress([serializer.instance])


class KeyResultViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = KeyResultSerializer

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return KeyResultUpdateSerializer
        return KeyResultSerializer

    def get_queryset(self):
        return selectors.key_result_list(
            user=self.request.user, objective_id=_int_param(self.request, "objective")
        )

    def get_object(self):
        key_result = selectors.key_result_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        if self.request.method not in SAFE_METHODS and not selectors.can_edit_objective(
            self.request.user, key_result.objective
        ):
            raise Http404
        return key_result

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        objective = data.pop("objective")
        objective = selectors.objective_get_for_user(user=self.request.user, pk=objective.pk)
        if not selectors.can_edit_objective(self.request.user, objective):
            raise Http404
        serializer.instance = services.key_result_create(
            actor=self.request.user, objective=objective, **data
        )

    def perform_update(self, serializer):
        if not selectors.can_edit_objective(self.request.user, serializer.instance.objective):
            raise Http404
        serializer.instance = services.key_result_update(
            actor=self.request.user, key_result=serializer.instance, **serializer.validated_data
        )


class CheckInViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Check-ins: list and create only. A department head checks in on their own
    department's objectives; any other key result is "not found"."""

    serializer_class = CheckInSerializer

    def get_queryset(self):
        return selectors.checkin_list(
            user=self.request.user, key_result_id=_int_param(self.request, "key_result")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        key_result = selectors.key_result_get_for_user(
            user=self.request.user, pk=data.pop("key_result").pk
        )
        if not selectors.can_check_in(self.request.user, key_result.objective):
            raise Http404
        serializer.instance = services.checkin_create(
            actor=self.request.user, key_result=key_result, **data
        )
