from rest_framework import serializers

from qms.models import (
    Department,
    ImpactAssessment,
    InterestedParty,
    ManagementReview,
    PartyConflict,
    ReviewDecision,
    User,
)


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "role"]
        read_only_fields = fields


class DepartmentSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False
    )
    head = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )

    class Meta:
        model = Department
        fields = ["id", "name", "code", "parent", "head", "description", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class MetricDefinitionSerializer(serializers.Serializer):
    """How the metric is counted, in the language of the request."""

    counted = serializers.CharField(help_text="What is counted.")
    base = serializers.CharField(help_text="The base (denominator).")
    period = serializers.CharField(help_text="Which period an event falls in.")
    segment = serializers.CharField(help_text="Which segment an event counts in.")
    skipped = serializers.CharField(help_text="Skipped answers and missing data.")


class MetricSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    description = serializers.CharField()
    definition = MetricDefinitionSerializer(allow_null=True)
    parameters = serializers.ListField(child=serializers.CharField())
    app_label = serializers.CharField()


class MetricValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    value = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()
    detail = serializers.DictField()


class InterestedPartySerializer(serializers.ModelSerializer):
    quadrant = serializers.CharField(read_only=True)

    class Meta:
        model = InterestedParty
        fields = [
            "id",
            "name",
            "category",
            "needs",
            "influence",
            "interest",
            "quadrant",
            "review_date",
            "owner",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "quadrant", "created_at", "updated_at"]


class ImpactAssessmentSerializer(serializers.ModelSerializer):
    target_type = serializers.SlugRelatedField(
        slug_field="model", read_only=True, help_text="Model name of the assessed plan."
    )
    is_blocking = serializers.BooleanField(read_only=True)

    class Meta:
        model = ImpactAssessment
        fields = [
            "id",
            "target_type",
            "target_id",
            "party",
            "impact",
            "note",
            "mitigation",
            "approved_by",
            "approved_at",
            "approval_reason",
            "is_blocking",
        ]
        read_only_fields = fields


class PartyConflictSerializer(serializers.ModelSerializer):
    parties = serializers.PrimaryKeyRelatedField(queryset=InterestedParty.objects.all(), many=True)

    class Meta:
        model = PartyConflict
        fields = [
            "id",
            "title",
            "description",
            "parties",
            "status",
            "decision",
            "rationale",
            "outcomes",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "decision",
            "rationale",
            "outcomes",
            "decided_by",
            "decided_at",
        ]


class ConflictDecisionSerializer(serializers.Serializer):
    decision = serializers.CharField()
    rationale = serializers.CharField()
    outcomes = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewDecision
        fields = ["id", "review", "kind", "title", "owner", "due_date", "status", "closed_at"]
        read_only_fields = fields


class ManagementReviewSerializer(serializers.ModelSerializer):
    decisions = ReviewDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = ManagementReview
        fields = [
            "id",
            "title",
            "period_label",
            "period_start",
            "period_end",
            "meeting_date",
            "status",
            "held_at",
            "decisions",
        ]
        read_only_fields = fields


class ReviewPackSerializer(serializers.Serializer):
    period = serializers.DictField()
    sections = serializers.ListField(child=serializers.DictField())
