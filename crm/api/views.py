"""API of the CRM: the same selectors and services as the pages, the same scoping
(complaints of other departments are 404; viewers read only)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from customers import imports
from customers.api.serializers import ImportJobSerializer, ImportReportSerializer
from customers.api.views import bulk_import_response
from customers.selectors import customer_get_for_user, user_can_read_customers

from .. import selectors, services
from ..models import Booking
from .serializers import (
    BookingSerializer,
    ChecklistTickSerializer,
    ComplaintDetailSerializer,
    ComplaintSerializer,
    ComplaintStepSerializer,
    EscalateSerializer,
    InteractionSerializer,
    PreferenceSerializer,
)


class CrmPermission(permissions.BasePermission):
    """Read: anyone who may read customers. Write: quality managers and department
    members (viewers read only)."""

    def has_permission(self, request, view):
        user = request.user
        if not user_can_read_customers(user):
            return False
        return request.method in permissions.SAFE_METHODS or selectors.user_can_log(user)


def _customer(request, pk):
    return customer_get_for_user(user=request.user, pk=pk)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("customer", int, description="Only this customer's interactions."),
            OpenApiParameter("kind", str, description="Only this kind."),
        ]
    )
)
class InteractionViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Interactions of every kind, newest first; log one (POST) or many (POST bulk/)."""

    serializer_class = InteractionSerializer
    permission_classes = [CrmPermission]

    def get_queryset(self):
        customer = None
        if self.request.query_params.get("customer"):
            try:
                customer = _customer(self.request, self.request.query_params["customer"])
            except Http404:
                return selectors.Interaction.objects.none()
        return selectors.interaction_list(
            user=self.request.user,
            customer=customer,
            kind=self.request.query_params.get("kind", ""),
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.interaction_log(
            customer=data.pop("customer"),
            kind=data.pop("kind"),
            channel=data.pop("channel", "in_person"),
            occurred_at=data.pop("occurred_at"),
            department=data.pop("department", None),
            summary=data.pop("summary", ""),
            link=data.pop("link", ""),
            external_id=data.pop("external_id", ""),
            actor=self.request.user,
        )

    @extend_schema(
        request=None,
        responses={
            200: ImportReportSerializer,
            202: ImportJobSerializer,
            400: ImportReportSerializer,
        },
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Create or update interactions by external_id from a JSON list of objects with
        external_id, customer (external reference), kind, occurred_at, channel,
        department (code), summary. All-or-nothing; the same report as a CSV import."""
        if not request.user.is_quality_manager:
            return Response(
                {"detail": "Only quality managers import interactions."},
                status=status.HTTP_403_FORBIDDEN,
            )
        return bulk_import_response(
            request,
            lambda items: services.interactions_import(open_rows=imports.list_rows(items)),
            schema=services.InteractionSchema(),
            kind="interactions",
            list_url_name="customers:customer-list",
        )


class PreferenceViewSet(viewsets.ModelViewSet):
    """A customer's preferences (query parameter `customer`). Every reader of customers
    reads them; PUT, PATCH and DELETE reach only the preferences the user may change
    (their departments'; 404 otherwise)."""

    serializer_class = PreferenceSerializer
    permission_classes = [CrmPermission]

    def get_queryset(self):
        customer = None
        if self.request.query_params.get("customer"):
            customer = _customer(self.request, self.request.query_params["customer"])
        return selectors.preference_list(user=self.request.user, customer=customer)

    def get_object(self):
        if self.request.method in permissions.SAFE_METHODS:
            return super().get_object()
        preference = selectors.preference_get_for_change(
            user=self.request.user, pk=self.kwargs["pk"]
        )
        self.check_object_permissions(self.request, preference)
        return preference

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.preference_create(
            customer=data.pop("customer"), actor=self.request.user, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("customer", None)
        serializer.instance = services.preference_update(
            preference=serializer.instance, actor=self.request.user, **data
        )

    def perform_destroy(self, instance):
        services.preference_delete(preference=instance, actor=self.request.user)


class BookingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Upcoming bookings, visits and orders; creating one returns its preparation
    checklist. POST tick/ marks a checklist item prepared (or not)."""

    serializer_class = BookingSerializer
    permission_classes = [CrmPermission]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Booking.objects.none()
        return selectors.booking_list(user=self.request.user).prefetch_related(
            "checklist__department", "checklist__prepared_by"
        )

    def get_object(self):
        return selectors.booking_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def perform_create(self, serializer):
        serializer.instance = services.booking_create(
            actor=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=ChecklistTickSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def tick(self, request, pk=None):
        booking = self.get_object()
        serializer = ChecklistTickSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = selectors.checklist_item_get_for_user(
            user=request.user, pk=serializer.validated_data["item"]
        )
        if item.booking_id != booking.pk:
            raise Http404
        services.checklist_item_set(
            item=item, actor=request.user, prepared=serializer.validated_data["prepared"]
        )
        return Response(BookingSerializer(self.get_object()).data)


def _step(name):
    def step(self, request, pk=None):
        complaint = self.get_object()
        serializer = ComplaintStepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        complaint = services.complaint_transition(
            complaint=complaint, action=name, actor=request.user, **serializer.validated_data
        )
        return Response(ComplaintDetailSerializer(complaint).data)

    # The name must be set before @action records it for the router.
    step.__name__ = name
    step.__doc__ = f"Complaint step “{name}” (see the complaint workflow)."
    step = action(detail=True, methods=["post"], url_path=name, url_name=name)(step)
    return extend_schema(request=ComplaintStepSerializer, responses=ComplaintDetailSerializer)(step)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str),
            OpenApiParameter("open", bool),
            OpenApiParameter("customer", int),
        ]
    )
)
class ComplaintViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Complaints (ISO 10002). POST registers one (the acknowledgement e-mail goes out);
    steps are actions: acknowledge, assess, investigate, decide (needs `decision`),
    accept, reject (needs `note`), escalate. Scoped: other departments' complaints 404."""

    permission_classes = [CrmPermission]

    def get_serializer_class(self):
        return ComplaintDetailSerializer if self.action != "list" else ComplaintSerializer

    def get_queryset(self):
        params = self.request.query_params
        customer = None
        if params.get("customer"):
            customer = _customer(self.request, params["customer"])
        return selectors.complaint_list(
            user=self.request.user,
            status=params.get("status", ""),
            open_only=params.get("open", "").lower() in ("1", "true", "yes"),
            customer=customer,
        )

    def get_object(self):
        return selectors.complaint_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def perform_create(self, serializer):
        serializer.instance = services.complaint_intake(
            actor=self.request.user, **serializer.validated_data
        )

    acknowledge = _step("acknowledge")
    assess = _step("assess")
    investigate = _step("investigate")
    decide = _step("decide")
    accept = _step("accept")
    reject = _step("reject")

    @extend_schema(request=EscalateSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        complaint = self.get_object()
        serializer = EscalateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        complaint = services.complaint_escalate(
            complaint=complaint, actor=request.user, note=serializer.validated_data["note"]
        )
        return Response(ComplaintDetailSerializer(complaint).data)
