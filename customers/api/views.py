"""API for customers, segments and topics: the same selectors, services and import
engine as the pages, the same role rules (quality managers write; viewers, department
heads and staff read; anyone else gets 403)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qms.exceptions import ApplicationError

from .. import import_jobs, imports, selectors, services
from ..forms import CustomerFilterForm
from ..models import Contact, ImportJob
from .serializers import (
    ConsentSerializer,
    CustomerSerializer,
    ImportJobSerializer,
    ImportReportSerializer,
    SegmentSerializer,
    TopicSerializer,
)


class CustomerDataPermission(permissions.BasePermission):
    """Read: anyone who may read customers. Write: quality managers."""

    def has_permission(self, request, view):
        user = request.user
        if not selectors.user_can_read_customers(user):
            return False
        return request.method in permissions.SAFE_METHODS or user.is_quality_manager


def bulk_import_response(
    request, import_items, *, schema=None, kind: str = "", list_url_name: str = ""
) -> Response:
    """Run `import_items(items)` (an import service) on the request's JSON list; the
    answer is the import report, also when the body is too big or not a list. With a
    `schema`, a list of more than IMPORT_INLINE_MAX_ROWS items becomes a background
    import job: the answer is 202 with the job (its `url` is the page a person can watch,
    `status_url` the same job in the API)."""
    try:
        items = request.data
    except RequestDataTooBig:
        report = imports.ImportReport(
            ok=False,
            file_error=gettext(
                "The request is larger than the server accepts (%(size)s MB); send the "
                "items in several smaller requests."
            )
            % {"size": round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024, 1)},
        )
    else:
        if (
            schema is not None
            and isinstance(items, list)
            and len(items) > settings.IMPORT_INLINE_MAX_ROWS
        ):
            result = import_jobs.import_items_or_job(
                schema=schema,
                items=items,
                user=request.user,
                kind=kind,
                list_url=reverse(list_url_name) if list_url_name else "",
            )
            if isinstance(result, ImportJob):
                data = ImportJobSerializer(result, context={"request": request}).data
                return Response(data, status=status.HTTP_202_ACCEPTED)
            report = result
        else:
            try:
                report = import_items(items)
            except ApplicationError as exc:  # not a list, too many items: the report says so
                report = imports.ImportReport(ok=False, file_error=str(exc.message))
    data = ImportReportSerializer(report.as_dict()).data
    return Response(data, status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST)


class ImportJobPermission(permissions.BasePermission):
    """Background imports are read by quality managers (who import)."""

    def has_permission(self, request, view):
        return bool(getattr(request.user, "is_quality_manager", False))


class ImportJobViewSet(viewsets.ReadOnlyModelViewSet):
    """Background imports (large uploads and large bulk requests): state, rows checked
    and written, the report when finished."""

    serializer_class = ImportJobSerializer
    permission_classes = [ImportJobPermission]

    def get_queryset(self):
        return selectors.import_job_list(user=self.request.user)


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
        """Create or update customers by external_ref from a JSON list (all-or-nothing).
        A large list is imported in the background: 202 with the import job."""
        return bulk_import_response(
            request,
            lambda items: services.import_items(kind="customers", items=items),
            schema=services.SCHEMAS["customers"](),
            kind="customers",
            list_url_name="customers:customer-list",
        )
