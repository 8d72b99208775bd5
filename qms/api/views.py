"""API for the organisation core: the same selectors and services as the pages."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qms import selectors, services
from qms.models import ImpactAssessment
from qms.permissions import CanViewAll, IsQualityManagerOrReadOnly
from qms.registry import Period, registry

from .serializers import (
    ConflictDecisionSerializer,
    DepartmentSerializer,
    ImpactAssessmentSerializer,
    InterestedPartySerializer,
    ManagementReviewSerializer,
    MetricSerializer,
    MetricValueSerializer,
    PartyConflictSerializer,
    PersonSerializer,
    ReviewPackSerializer,
)


class DepartmentViewSet(viewsets.ModelViewSet):
    """Departments in the caller's scope. Quality managers create, change and delete."""

    serializer_class = DepartmentSerializer
    permission_classes = [IsQualityManagerOrReadOnly]

    def get_queryset(self):
        return selectors.department_list(
            user=self.request.user, search=self.request.query_params.get("search", "")
        )

    def get_object(self):
        return selectors.department_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def perform_create(self, serializer):
        serializer.instance = services.department_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.department_update(
            department=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.department_delete(department=instance)


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PersonSerializer
    permission_classes = [CanViewAll]

    def get_queryset(self):
        return selectors.person_list(
            user=self.request.user,
            search=self.request.query_params.get("search", ""),
            role=self.request.query_params.get("role", ""),
        )

    @action(detail=False, permission_classes=[IsQualityManagerOrReadOnly])
    def me(self, request):
        """The signed-in person (any role)."""
        return Response(PersonSerializer(request.user).data)


class MetricViewSet(viewsets.ViewSet):
    """The metrics registry: every number the portal can compute, how it is counted
    (`definition`: what is counted, the base, the period, segment and skipped-answer
    rules, in the request's language) and its value."""

    permission_classes = [CanViewAll]
    lookup_field = "key"
    lookup_value_regex = "[a-z][a-z0-9_]*"

    @extend_schema(responses=MetricSerializer(many=True))
    def list(self, request, *args, **kwargs):
        data = [
            {
                "key": m.key,
                "label": str(m.label),
                "unit": m.unit,
                "direction": m.direction.value,
                "description": str(m.description),
                "definition": m.definition.as_dict() if m.definition else None,
                "parameters": list(m.parameters),
                "app_label": m.app_label,
            }
            for m in registry.all()
        ]
        return Response(MetricSerializer(data, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, description="2026, 2026-Q3 or 2026-07"),
        ],
        responses=MetricValueSerializer,
    )
    @action(detail=True, methods=["get"])
    def value(self, request, key=None):
        """Compute one metric for a period; other query parameters are its filters."""
        period_text = request.query_params.get("period")
        period = Period.parse(period_text) if period_text else Period.current_quarter()
        filters = {k: v for k, v in request.query_params.items() if k != "period"}
        result = registry.compute(key, period=period, **filters)
        payload = {
            "key": key,
            "period_start": period.start,
            "period_end": period.end,
            "value": None if result.value is None else float(result.value),
            "n": result.n,
            "detail": dict(result.detail),
        }
        return Response(MetricValueSerializer(payload).data, status=status.HTTP_200_OK)


class InterestedPartyViewSet(viewsets.ModelViewSet):
    """The register of interested parties (ISO 9001 clause 4.2). Quality managers write."""

    serializer_class = InterestedPartySerializer
    permission_classes = [IsQualityManagerOrReadOnly]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.party_list(
            search=self.request.query_params.get("search", ""),
            category=self.request.query_params.get("category", ""),
        )

    def perform_create(self, serializer):
        serializer.instance = services.party_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.party_update(
            party=serializer.instance, **serializer.validated_data
        )


class ImpactAssessmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Expected impacts of plans on interested parties; filter by `party`, `impact`,
    `target_type` (model name) and `target_id`."""

    serializer_class = ImpactAssessmentSerializer
    permission_classes = [CanViewAll]
    filterset_fields = ["party", "impact", "target_id"]

    def get_queryset(self):
        qs = ImpactAssessment.objects.select_related("target_type", "party").order_by("id")
        target_type = self.request.query_params.get("target_type")
        if target_type:
            qs = qs.filter(target_type__model=target_type.lower())
        return qs


class PartyConflictViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Conflicting requirements between parties and the decisions taken on them."""

    serializer_class = PartyConflictSerializer
    permission_classes = [IsQualityManagerOrReadOnly]

    def get_queryset(self):
        return selectors.conflict_list(status=self.request.query_params.get("status", ""))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.conflict_create(
            title=data["title"], description=data["description"], parties=list(data["parties"])
        )

    @extend_schema(request=ConflictDecisionSerializer, responses=PartyConflictSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Record the decision and its rationale (quality manager)."""
        payload = ConflictDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        conflict = services.conflict_decide(
            conflict=self.get_object(), actor=request.user, **payload.validated_data
        )
        return Response(PartyConflictSerializer(conflict).data)


class ManagementReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """Management reviews with their decisions; `inputs` returns the review pack's data
    (live for a planned review, as presented for a held one)."""

    serializer_class = ManagementReviewSerializer
    permission_classes = [CanViewAll]

    def get_queryset(self):
        return selectors.review_list().prefetch_related("decisions")

    @extend_schema(responses=ReviewPackSerializer)
    @action(detail=True, methods=["get"])
    def inputs(self, request, pk=None):
        from qms.review import compile_inputs

        review = self.get_object()
        return Response(review.inputs_snapshot or compile_inputs(review=review))
