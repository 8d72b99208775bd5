"""API for customers and the research sources: the same selectors, services and import
engine as the pages, the same role rules (quality managers write; viewers, department
heads and staff read; anyone else gets 403)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import selectors, services
from ..forms import CustomerFilterForm, ResearchFilterForm
from ..models import Contact
from .serializers import (
    ConsentSerializer,
    CustomerSerializer,
    FindingSerializer,
    ImportReportSerializer,
    InterviewSerializer,
    PurchaseItemSerializer,
    PurchaseSerializer,
    SegmentSerializer,
    TicketItemSerializer,
    TicketSerializer,
    TopicSerializer,
)


class CustomerDataPermission(permissions.BasePermission):
    """Read: anyone who may read customers. Write: quality managers."""

    def has_permission(self, request, view):
        user = request.user
        if not selectors.user_can_read_customers(user):
            return False
        return request.method in permissions.SAFE_METHODS or user.is_quality_manager


def _research_filters(request, names):
    form = ResearchFilterForm(request.query_params or None, names=names)
    return form.filters()


def _bulk_response(report):
    data = ImportReportSerializer(report.as_dict()).data
    return Response(data, status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST)


class SegmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SegmentSerializer
    permission_classes = [CustomerDataPermission]

    def get_queryset(self):
        return selectors.segment_list(user=self.request.user)


class TopicViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The shared topic vocabulary. Topics are never deleted (evidence points at them):
    retire one with `is_active: false`."""

    serializer_class = TopicSerializer
    permission_classes = [CustomerDataPermission]

    def get_queryset(self):
        return selectors.topic_list(
            user=self.request.user, search=self.request.query_params.get("search", "")
        )

    def perform_create(self, serializer):
        serializer.instance = services.topic_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.topic_update(
            topic=serializer.instance, **serializer.validated_data
        )


class CustomerViewSet(viewsets.ModelViewSet):
    """Customers with their consent per channel and (organisations) their contacts.
    Query parameters: q, segment (id), kind, language, active (yes/no)."""

    serializer_class = CustomerSerializer
    permission_classes = [CustomerDataPermission]

    def get_queryset(self):
        form = CustomerFilterForm(self.request.query_params or None)
        return selectors.customer_list(user=self.request.user, **form.filters()).prefetch_related(
            "consents",
            Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "name")),
        )

    def get_object(self):
        customer = selectors.customer_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, customer)
        return customer

    def perform_create(self, serializer):
        serializer.instance = services.customer_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.customer_update(
            customer=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.customer_delete(customer=instance)

    @extend_schema(request=ConsentSerializer, responses=ConsentSerializer)
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        """Record that the customer gave or withdrew consent on a channel."""
        customer = self.get_object()
        serializer = ConsentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = services.consent_record(customer=customer, **serializer.validated_data)
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ImportReportSerializer)
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Create or update customers by external_ref from a JSON list (all-or-nothing)."""
        return _bulk_response(services.import_items(kind="customers", items=request.data))


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
        responses={200: ImportReportSerializer, 400: ImportReportSerializer},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Create or update tickets by external_id. All-or-nothing: if any item is bad,
        nothing is imported and the report lists every bad item (400)."""
        return _bulk_response(services.import_items(kind="tickets", items=request.data))


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
        responses={200: ImportReportSerializer, 400: ImportReportSerializer},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Create or update purchases by external_id (all-or-nothing, like tickets)."""
        return _bulk_response(services.import_items(kind="purchases", items=request.data))


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
