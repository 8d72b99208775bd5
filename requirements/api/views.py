"""API of the requirements register and its deployment: the same selectors and services
as the pages, with the same scoping (out of scope is 404)."""

from collections.abc import Mapping

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from customers.models import Segment, Topic
from qms.models import Department
from qms.permissions import IsQualityManagerOrReadOnly

from .. import selectors, services
from .serializers import (
    AcknowledgeSerializer,
    DeploymentSerializer,
    DeploymentUpdateSerializer,
    RequirementSerializer,
    RetireSerializer,
    ReviewSerializer,
)


def _by_natural_key(model, field, value):
    if not value:
        return None
    found = model.objects.filter(**{field: value}).first()
    if found is None:
        raise Http404
    return found


class RequirementViewSet(viewsets.ModelViewSet):
    """The requirements register. Quality managers create, change and move requirements
    through their lifecycle; viewers read all; department members read the requirements
    deployed to their departments. Filters: search, kind, status, segment (code), topic
    (slug), department (code)."""

    serializer_class = RequirementSerializer
    permission_classes = [IsQualityManagerOrReadOnly]

    def get_queryset(self):
        params = self.request.query_params
        return selectors.requirement_list(
            user=self.request.user,
            search=params.get("search", ""),
            kind=params.get("kind", ""),
            status=params.get("status", ""),
            segment=_by_natural_key(Segment, "code", params.get("segment")),
            topic=_by_natural_key(Topic, "slug", params.get("topic")),
            department=_by_natural_key(Department, "code", params.get("department")),
        ).prefetch_related("topics")

    def get_object(self):
        return selectors.requirement_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def perform_create(self, serializer):
        serializer.instance = services.requirement_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.requirement_update(
            requirement=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.requirement_delete(requirement=instance, actor=self.request.user)

    def _step(self, service, **kwargs):
        requirement = self.get_object()
        service(requirement=requirement, actor=self.request.user, **kwargs)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=None, responses=RequirementSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Proposed → under review."""
        return self._step(services.requirement_submit_for_review)

    @extend_schema(request=ReviewSerializer, responses=RequirementSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Record the review; "can_meet": false (with a note) sends it back to proposed."""
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._step(services.requirement_review, **data.validated_data)

    @extend_schema(request=None, responses=RequirementSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._step(services.requirement_accept)

    @extend_schema(request=None, responses=RequirementSerializer)
    @action(detail=True, methods=["post"])
    def deploy(self, request, pk=None):
        return self._step(services.requirement_deploy)

    @extend_schema(request=RetireSerializer, responses=RequirementSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        data = RetireSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._step(services.requirement_retire, **data.validated_data)


class DeploymentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Deployments of requirements to departments, scoped: quality managers and viewers
    see all; heads and staff see their departments' deployed needs (others are 404).
    Quality managers create and change them; heads acknowledge; staff mark them read.
    Filters: department (code), requirement (id), pending=1 (not acknowledged)."""

    serializer_class = DeploymentSerializer
    permission_classes = [IsQualityManagerOrReadOnly]

    def get_permissions(self):
        if self.action in ("acknowledge", "read"):
            return [IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self):
        params = self.request.query_params
        requirement = params.get("requirement")
        return selectors.deployment_list(
            user=self.request.user,
            department=_by_natural_key(Department, "code", params.get("department")),
            requirement=int(requirement) if requirement and requirement.isdigit() else None,
            pending=params.get("pending") in ("1", "true"),
        )

    def get_object(self):
        return selectors.deployment_with_counts(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return DeploymentUpdateSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer):
        data = serializer.validated_data
        deployment = services.deployment_create(
            requirement=data["requirement"],
            department=data["department"],
            commitment=data["commitment"],
            ack_days=data.get("ack_days"),
            actor=self.request.user,
        )
        serializer.instance = selectors.deployment_with_counts(
            user=self.request.user, pk=deployment.pk
        )

    @extend_schema(request=DeploymentUpdateSerializer, responses=DeploymentSerializer)
    def update(self, request, *args, **kwargs):
        deployment = self.get_object()
        if not isinstance(request.data, Mapping):
            raise ValidationError({"non_field_errors": [_("Send a JSON object of fields.")]})
        data = DeploymentUpdateSerializer(
            data={
                "commitment": request.data.get("commitment", deployment.commitment),
                "ack_days": request.data.get("ack_days", deployment.ack_days),
            }
        )
        data.is_valid(raise_exception=True)
        services.deployment_update(deployment=deployment, actor=request.user, **data.validated_data)
        return Response(DeploymentSerializer(self.get_object()).data)

    @extend_schema(request=AcknowledgeSerializer, responses=DeploymentSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The department head acknowledges the current revision."""
        deployment = self.get_object()
        if deployment.department_id not in selectors.headed_department_ids(request.user):
            raise PermissionDenied(_("Only the head of the department can acknowledge this need."))
        data = AcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.deployment_acknowledge(
            deployment=deployment, actor=request.user, comment=data.validated_data["comment"]
        )
        return Response(DeploymentSerializer(self.get_object()).data)

    @extend_schema(request=None, responses=DeploymentSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """A staff member of the department marks the brief read (current revision)."""
        deployment = selectors.deployment_get_for_change(user=request.user, pk=pk)
        services.brief_mark_read(deployment=deployment, actor=request.user)
        return Response(DeploymentSerializer(self.get_object()).data, status=status.HTTP_200_OK)
