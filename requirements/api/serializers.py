from rest_framework import serializers

from customers.models import Segment, Topic
from qms.models import Department, User

from ..models import Deployment, Requirement


class RequirementSerializer(serializers.ModelSerializer):
    segment = serializers.SlugRelatedField(
        slug_field="code", queryset=Segment.objects.all(), allow_null=True, required=False
    )
    topics = serializers.SlugRelatedField(
        slug_field="slug", queryset=Topic.objects.all(), many=True, required=False
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )
    kano = serializers.CharField(read_only=True)
    guide_level = serializers.CharField(read_only=True)

    class Meta:
        model = Requirement
        fields = [
            "id",
            "title",
            "description",
            "kind",
            "kano",
            "guide_level",
            "segment",
            "importance",
            "acceptance_criterion",
            "reference",
            "owner",
            "status",
            "revision",
            "topics",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "revision", "created_at", "updated_at"]
        # Model rules (e.g. a reference for statutory kinds) are checked by the service.
        validators = []


class ReviewSerializer(serializers.Serializer):
    can_meet = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RetireSerializer(serializers.Serializer):
    reason = serializers.CharField()


class DeploymentSerializer(serializers.ModelSerializer):
    requirement = serializers.PrimaryKeyRelatedField(queryset=Requirement.objects.all())
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all())
    requirement_title = serializers.CharField(source="requirement.title", read_only=True)
    revision = serializers.IntegerField(source="requirement.revision", read_only=True)
    is_acknowledged = serializers.BooleanField(read_only=True)
    read_count = serializers.IntegerField(read_only=True)
    staff_count = serializers.IntegerField(read_only=True)
    read_by_me = serializers.BooleanField(read_only=True)

    class Meta:
        model = Deployment
        fields = [
            "id",
            "requirement",
            "requirement_title",
            "revision",
            "department",
            "commitment",
            "ack_days",
            "ack_due_at",
            "is_acknowledged",
            "acknowledged_revision",
            "acknowledged_by",
            "acknowledged_at",
            "ack_comment",
            "read_count",
            "staff_count",
            "read_by_me",
        ]
        read_only_fields = [
            "id",
            "ack_due_at",
            "acknowledged_revision",
            "acknowledged_by",
            "acknowledged_at",
            "ack_comment",
        ]
        validators = []


class DeploymentUpdateSerializer(serializers.Serializer):
    commitment = serializers.CharField()
    ack_days = serializers.IntegerField(min_value=1)


class AcknowledgeSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
