from rest_framework import serializers

from customers.models import Customer, Topic
from qms.models import Department, User

from ..models import Booking, ChecklistItem, Complaint, ComplaintEvent, Interaction, Preference


class InteractionSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Interaction
        fields = [
            "id",
            "customer",
            "kind",
            "channel",
            "occurred_at",
            "department",
            "summary",
            "external_id",
            "link",
            "purchase",
            "ticket",
            "complaint",
            "booking",
        ]
        read_only_fields = ["id", "purchase", "ticket", "complaint", "booking"]
        extra_kwargs = {"external_id": {"validators": []}}


class PreferenceSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Preference
        fields = [
            "id",
            "customer",
            "category",
            "value",
            "note",
            "source",
            "last_confirmed_on",
            "department",
        ]
        read_only_fields = ["id"]
        validators = []


class ChecklistItemSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    # Empty until someone ticks the item (and after it is unticked).
    prepared_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ChecklistItem
        fields = ["id", "department", "text", "prepared_by", "prepared_at"]
        read_only_fields = fields


class BookingSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    checklist = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = Booking
        fields = ["id", "customer", "kind", "starts_at", "department", "note", "checklist"]
        read_only_fields = ["id", "checklist"]


class ChecklistTickSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    prepared = serializers.BooleanField(default=True)


class ComplaintEventSerializer(serializers.ModelSerializer):
    # Empty for a step the portal took (e.g. the acknowledgement e-mail of the intake).
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    # "" on the first event: the complaint came from no status.
    from_status = serializers.ChoiceField(
        choices=Complaint.Status.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = ComplaintEvent
        fields = ["from_status", "to_status", "actor", "note", "created_at"]
        read_only_fields = fields


class ComplaintSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    topic = serializers.SlugRelatedField(slug_field="slug", queryset=Topic.objects.all())
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all())
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "reference",
            "customer",
            "description",
            "remedy_sought",
            "topic",
            "severity",
            "department",
            "owner",
            "channel",
            "status",
            "received_at",
            "due_at",
            "is_overdue",
            "acknowledged_at",
            "first_decided_at",
            "decision",
            "closed_at",
            "escalated",
            "escalation_note",
        ]
        read_only_fields = [
            "id",
            "reference",
            "status",
            "due_at",
            "is_overdue",
            "acknowledged_at",
            "first_decided_at",
            "decision",
            "closed_at",
            "escalated",
            "escalation_note",
        ]
        extra_kwargs = {"received_at": {"required": False}}


class ComplaintDetailSerializer(ComplaintSerializer):
    events = ComplaintEventSerializer(many=True, read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "events"]


class ComplaintStepSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    decision = serializers.CharField(required=False, allow_blank=True, default="")


class EscalateSerializer(serializers.Serializer):
    note = serializers.CharField()
