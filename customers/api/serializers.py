from django.urls import reverse
from rest_framework import serializers

from ..models import Consent, Contact, Customer, ImportJob, Segment, Topic


class SegmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Segment
        fields = ["id", "name", "code", "description"]
        read_only_fields = fields


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "name", "slug", "description", "is_active"]
        read_only_fields = ["id"]
        # Uniqueness is the service's rule (it answers with a readable 400).
        extra_kwargs = {"slug": {"validators": []}}


class ConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["channel", "granted", "recorded_at", "method", "note"]


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "job_title", "email", "phone", "is_primary"]
        read_only_fields = fields


class CustomerSerializer(serializers.ModelSerializer):
    segment = serializers.PrimaryKeyRelatedField(
        queryset=Segment.objects.all(), allow_null=True, required=False
    )
    consents = ConsentSerializer(many=True, read_only=True)
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "kind",
            "name",
            "external_ref",
            "segment",
            "language",
            "email",
            "phone",
            "address",
            "time_zone",
            "is_active",
            "consents",
            "contacts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "consents", "contacts", "created_at", "updated_at"]
        # Uniqueness is the service's rule (it answers with a readable 400).
        validators = []
        extra_kwargs = {"external_ref": {"validators": []}}


# --- Bulk import (documentation of the request and the report) -------------------------


class BadRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The item's position in the list, from 1.")
    reason = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    ok = serializers.BooleanField(help_text="False: nothing was imported (all-or-nothing).")
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    bad_rows = serializers.IntegerField()
    file_error = serializers.CharField()
    errors = BadRowSerializer(many=True)


class ImportJobSerializer(serializers.ModelSerializer):
    """A background import; `report` has the import report's fields once it finished."""

    url = serializers.SerializerMethodField(help_text="The page a person can watch.")
    status_url = serializers.SerializerMethodField(help_text="This job in the API.")
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ImportJob
        fields = (
            "id",
            "kind",
            "label",
            "source",
            "state",
            "phase",
            "attempts",
            "rows_total",
            "rows_checked",
            "rows_written",
            "percent",
            "created_at",
            "started_at",
            "finished_at",
            "error",
            "report",
            "url",
            "status_url",
        )
        read_only_fields = fields

    def get_url(self, job) -> str:
        return reverse("customers:import-job", args=[job.pk])

    def get_status_url(self, job) -> str:
        return reverse("importjob-detail", args=[job.pk])
