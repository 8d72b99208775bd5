"""API for the research sources: the same selectors, services and import engine as the
pages, the same role rules as customers (quality managers write; viewers, department
heads and staff read; anyone else gets 403)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from customers.api.serializers import ImportJobSerializer, ImportReportSerializer
from customers.api.views import CustomerDataPermission, bulk_import_response

from .. import selectors, services
from ..forms import ResearchFilterForm
from .serializers import (
    FindingSerializer,
    InterviewSerializer,
    PurchaseItemSerializer,
    PurchaseSerializer,
    TicketItemSerializer,
    TicketSerializer,
)


def _research_filters(request, names):
    form = ResearchFilterForm(request.query_params or None, names=names)
    return form.filters()


class TicketViewSet(viewsets.ReadOnlyModelViewSet):
    """After-sales work orders. Query parameters: q, topic (code), segment (id), start,
    end (dates), customer (id). `POST /tickets/bulk/` imports a list."""

    serializer_class = TicketSerializer
    permission_classes = [CustomerDataPermission]

    def get_queryset(self):
        filters = _research_filters(
            self.request, ("search", "topic", "segment", "start", "end", "customer")
        )
        return selectors.ticket_list(user=self.request.user, **filters)

    @extend_schema(
        request=TicketItemSerializer(many=True),
        responses={
            200: ImportReportSerializer,
            202: ImportJobSerializer,
            400: ImportReportSerializer,
        },
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Create or update tickets by external_id. All-or-nothing: if any item is bad,
        nothing is imported and the report lists every bad item (400)."""
        return bulk_import_response(
            request,
            lambda items: services.import_items(kind="tickets", items=items),
            schema=services.SCHEMAS["tickets"](),
            kind="tickets",
            list_url_name="research:ticket-list",
        )


class PurchaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Purchases. Query parameters: q, segment (id), start, end, customer (id).
    `POST /purchases/bulk/` imports a list."""

    serializer_class = PurchaseSerializer
    permission_classes = [CustomerDataPermission]

    def get_queryset(self):
        filters = _research_filters(self.request, ("search", "segment", "start", "end", "customer"))
        return selectors.purchase_list(user=self.request.user, **filters)

    @extend_schema(
        request=PurchaseItemSerializer(many=True),
        responses={
            200: ImportReportSerializer,
            202: ImportJobSerializer,
            400: ImportReportSerializer,
        },
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Create or update purchases by external_id (all-or-nothing, like tickets)."""
        return bulk_import_response(
            request,
            lambda items: services.import_items(kind="purchases", items=items),
            schema=services.SCHEMAS["purchases"](),
            kind="purchases",
            list_url_name="research:purchase-list",
        )


class InterviewViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """In-depth interviews with their findings. `POST /interviews/{id}/findings/` codes a
    finding to a topic (and optionally a candidate requirement)."""

    serializer_class = InterviewSerializer
    permission_classes = [CustomerDataPermission]

    def get_queryset(self):
        filters = _research_filters(self.request, ("search", "topic", "segment", "start", "end"))
        return selectors.interview_list(user=self.request.user, **filters).prefetch_related(
            "findings__topic"
        )

    def get_object(self):
        interview = selectors.interview_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, interview)
        return interview

    def perform_create(self, serializer):
        serializer.instance = services.interview_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.interview_update(
            interview=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=FindingSerializer, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def findings(self, request, pk=None):
        interview = self.get_object()
        serializer = FindingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        finding = services.finding_add(interview=interview, **serializer.validated_data)
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)
