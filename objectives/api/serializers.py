from rest_framework import serializers

from qms.models import Department, User
from requirements.models import Requirement

from ..models import CheckIn, KeyResult, Objective


class KeyResultSerializer(serializers.ModelSerializer):
    objective = serializers.PrimaryKeyRelatedField(queryset=Objective.objects.all())
    progress = serializers.SerializerMethodField()

    class Meta:
        model = KeyResult
        fields = [
            "id",
            "objective",
            "title",
            "mode",
            "metric_key",
            "metric_params",
            "unit",
            "direction",
            "baseline",
            "target",
            "due_date",
            "weight",
            "current_value",
            "current_at",
            "last_computed_value",
            "last_computed_at",
            "progress",
        ]
        read_only_fields = [
            "current_value",
            "current_at",
            "last_computed_value",
            "last_computed_at",
        ]

    def get_progress(self, obj) -> float | None:
        from ..progress import key_result_progress

        return key_result_progress(
            direction=obj.direction,
            baseline=obj.baseline,
            target=obj.target,
            current=obj.current_value,
        )


class KeyResultUpdateSerializer(KeyResultSerializer):
    class Meta(KeyResultSerializer.Meta):
        read_only_fields = [*KeyResultSerializer.Meta.read_only_fields, "objective"]


class ObjectiveSerializer(serializers.ModelSerializer):
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False
    )
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Objective.objects.all(), allow_null=True, required=False
    )
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    requirements = serializers.PrimaryKeyRelatedField(
        queryset=Requirement.objects.all(), many=True, required=False
    )
    # Plain text, not an enum: "status" enums of other apps would collide in the schema.
    status = serializers.CharField(read_only=True, help_text="active or closed")
    progress = serializers.FloatField(read_only=True, allow_null=True)
    health = serializers.CharField(read_only=True)
    stale = serializers.BooleanField(read_only=True)
    key_results = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Objective
        fields = [
            "id",
            "period_label",
            "period_start",
            "period_end",
            "level",
            "department",
            "parent",
            "requirements",
            "owner",
            "title",
            "description",
            "weight",
            "plan_what",
            "plan_resources",
            "plan_responsible",
            "plan_due",
            "plan_evaluation",
            "checkin_interval",
            "status",
            "final_progress",
            "last_checkin_at",
            "checkin_due_on",
            "progress",
            "health",
            "stale",
            "key_results",
        ]
        read_only_fields = [
            "period_start",
            "period_end",
            "status",
            "final_progress",
            "last_checkin_at",
            "checkin_due_on",
        ]


class ObjectiveUpdateSerializer(ObjectiveSerializer):
    class Meta(ObjectiveSerializer.Meta):
        read_only_fields = [*ObjectiveSerializer.Meta.read_only_fields, "level", "department"]


class CheckInSerializer(serializers.ModelSerializer):
    key_result = serializers.PrimaryKeyRelatedField(queryset=KeyResult.objects.all())
    confidence = serializers.IntegerField(
        min_value=0, max_value=10, required=False, allow_null=True
    )

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "key_result",
            "value",
            "confidence",
            "comment",
            "source",
            "by",
            "at",
            "due_on",
        ]
        read_only_fields = ["source", "by", "at", "due_on"]
