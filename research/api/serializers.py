from rest_framework import serializers

from customers.models import Topic
from requirements.models import Requirement

from ..models import Interview, InterviewFinding, Purchase, Ticket


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
            "description",
            "agent_notes",
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
            "order_ref",
            "segment",
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


# --- Bulk import (documentation of the request) ------------------------------------------


class TicketItemSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=60)
    customer = serializers.CharField(help_text="The customer's external reference.")
    topic = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The topic's code (slug) or name, if the service desk gives one; the "
        "ticket's text is coded to topics either way.",
    )
    product = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(
        required=False, allow_blank=True, help_text="What the customer said."
    )
    agent_notes = serializers.CharField(required=False, allow_blank=True)
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
    order_ref = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=60,
        help_text="The order this line belongs to; lines without one are grouped into an "
        "order by customer and purchase time.",
    )
