from rest_framework import serializers

from ..models import (
    Consent,
    Contact,
    Customer,
    Interview,
    InterviewFinding,
    Purchase,
    Requirement,
    Segment,
    Ticket,
    Topic,
)


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


class TicketSerializer(serializers.ModelSerializer):
    customer_ref = serializers.CharField(source="customer.external_ref", read_only=True)
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "external_id",
            "customer",
            "customer_ref",
            "product",
            "topic",
            "opened_at",
            "closed_at",
            "resolution",
        ]
        read_only_fields = fields


class PurchaseSerializer(serializers.ModelSerializer):
    customer_ref = serializers.CharField(source="customer.external_ref", read_only=True)

    class Meta:
        model = Purchase
        fields = [
            "id",
            "external_id",
            "customer",
            "customer_ref",
            "product",
            "quantity",
            "amount",
            "purchased_at",
        ]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="slug", queryset=Topic.objects.all())
    requirement = serializers.PrimaryKeyRelatedField(
        queryset=Requirement.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = InterviewFinding
        fields = ["id", "topic", "note", "requirement"]
        read_only_fields = ["id"]


class InterviewSerializer(serializers.ModelSerializer):
    findings = FindingSerializer(many=True, read_only=True)

    class Meta:
        model = Interview
        fields = [
            "id",
            "title",
            "held_on",
            "customer",
            "segment",
            "interviewer",
            "notes",
            "findings",
        ]
        read_only_fields = ["id", "findings"]
        validators = []


# --- Bulk import (documentation of the request and the report) -------------------------


class TicketItemSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=60)
    customer = serializers.CharField(help_text="The customer's external reference.")
    topic = serializers.CharField(help_text="The topic's code (slug) or name.")
    product = serializers.CharField(required=False, allow_blank=True)
    opened_at = serializers.CharField(help_text="2026-03-01 or 2026-03-01T14:30:00+08:00")
    closed_at = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    resolution = serializers.CharField(required=False, allow_blank=True)


class PurchaseItemSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=60)
    customer = serializers.CharField(help_text="The customer's external reference.")
    product = serializers.CharField()
    quantity = serializers.IntegerField(required=False, min_value=1)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    purchased_at = serializers.CharField(help_text="2026-03-01 or 2026-03-01T14:30:00+08:00")


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
