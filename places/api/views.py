"""API of places: places, their collectors and receipt-code batches, with the pages'
selectors and services. Everyone signed in reads their scope; quality managers write."""

from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qms.permissions import IsQualityManagerOrReadOnly

from .. import receipts, selectors, services
from ..models import Collector, Place, ReceiptBatch
from .serializers import CollectorSerializer, PlaceSerializer, ReceiptBatchSerializer


class PlaceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PlaceSerializer
    permission_classes = [IsQualityManagerOrReadOnly]
    queryset = Place.objects.none()

    def get_queryset(self):
        return selectors.place_list(user=self.request.user)

    def get_object(self):
        return selectors.place_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def perform_create(self, serializer):
        serializer.instance = services.place_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.place_update(
            place=serializer.instance, **serializer.validated_data
        )


class CollectorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CollectorSerializer
    permission_classes = [IsQualityManagerOrReadOnly]
    queryset = Collector.objects.none()

    def get_queryset(self):
        from qms.selectors import scope_by_department

        qs = Collector.objects.select_related("place").order_by("-created_at", "-id")
        return scope_by_department(qs, self.request.user, field="place__department")

    def get_object(self):
        return selectors.collector_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def perform_create(self, serializer):
        data = serializer.validated_data
        collector = services.collector_create(
            place=data["place"], survey_version=data["survey_version"], created_by=self.request.user
        )
        changes = {k: data[k] for k in ("receipt_required", "receipt_days") if k in data}
        if changes:
            Collector.objects.filter(pk=collector.pk).update(**changes)
            collector.refresh_from_db()
        serializer.instance = collector

    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        collector = services.collector_stop(collector=self.get_object())
        return Response(self.get_serializer(collector).data)


class ReceiptBatchViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Receipt codes issued in batches, for a till or booking system to print."""

    serializer_class = ReceiptBatchSerializer
    permission_classes = [IsQualityManagerOrReadOnly]
    queryset = ReceiptBatch.objects.none()

    def get_queryset(self):
        from qms.selectors import scope_by_department

        qs = ReceiptBatch.objects.select_related("collector").order_by("-created_at", "-id")
        return scope_by_department(qs, self.request.user, field="collector__place__department")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        collector = selectors.collector_get_for_user(user=request.user, pk=data["collector"].pk)
        batch, _codes = receipts.receipt_batch_issue(
            collector=collector,
            size=data["size"],
            expires_after_days=data.get("expires_after_days"),
            created_by=request.user,
        )
        return Response(self.get_serializer(batch).data, status=status.HTTP_201_CREATED)
