from rest_framework import serializers

from customers.models import Segment
from qms.models import Department
from surveys.models import SurveyVersion

from .. import codes, receipts
from ..models import Collector, Place, ReceiptBatch


class PlaceSerializer(serializers.ModelSerializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    segment = serializers.PrimaryKeyRelatedField(
        queryset=Segment.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Place
        fields = ["id", "name", "department", "segment", "description", "created_at"]
        read_only_fields = ["created_at"]


class CollectorSerializer(serializers.ModelSerializer):
    place = serializers.PrimaryKeyRelatedField(queryset=Place.objects.all())
    survey_version = serializers.PrimaryKeyRelatedField(
        queryset=SurveyVersion.objects.filter(status=SurveyVersion.Status.PUBLISHED)
    )
    url = serializers.SerializerMethodField()
    receipt_key = serializers.SerializerMethodField()

    class Meta:
        model = Collector
        fields = [
            "id",
            "place",
            "survey_version",
            "wave",
            "code",
            "url",
            "active",
            "receipt_required",
            "receipt_days",
            "receipt_key",
            "created_at",
        ]
        read_only_fields = ["wave", "code", "active", "created_at"]

    def get_url(self, obj) -> str:
        return codes.collector_url(obj)

    def get_receipt_key(self, obj) -> str | None:
        """The till's secret for derived receipt codes (quality managers only)."""
        request = self.context.get("request")
        if request is None or not request.user.is_quality_manager or not obj.receipt_required:
            return None
        return receipts.receipt_key(obj)


class ReceiptBatchSerializer(serializers.ModelSerializer):
    collector = serializers.PrimaryKeyRelatedField(queryset=Collector.objects.all())
    expires_after_days = serializers.IntegerField(
        write_only=True, required=False, min_value=1, max_value=366
    )
    size = serializers.IntegerField(min_value=1, max_value=receipts.BATCH_MAX)
    codes = serializers.SerializerMethodField()

    class Meta:
        model = ReceiptBatch
        fields = [
            "id",
            "collector",
            "size",
            "expires_after_days",
            "expires_at",
            "codes",
            "created_at",
        ]
        read_only_fields = ["expires_at", "created_at"]

    def get_codes(self, obj) -> list[str]:
        return sorted(obj.codes.values_list("code", flat=True))
