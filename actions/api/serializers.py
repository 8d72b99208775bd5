from rest_framework import serializers

from customers.models import Topic
from objectives.models import Objective, ObjectiveAnalysis
from qms.models import Department, User
from satisfaction.models import FollowUpCase, Wave

from ..models import (
    ActionSource,
    ActionTransition,
    CorrectiveAction,
    EffectivenessCriterion,
    Measure,
    SourceKind,
)


# Choice fields are plain strings here (values listed in help_text): drf-spectacular would
# otherwise name colliding enums ("status", "kind") and warn.
def _choice_text(choices, **kwargs):
    values = ", ".join(value for value, _label in choices if value)
    return serializers.CharField(help_text=f"One of: {values}.", **kwargs)


class SourceSerializer(serializers.ModelSerializer):
    kind = _choice_text(SourceKind.choices, read_only=True)

    class Meta:
        model = ActionSource
        fields = [
            "id",
            "kind",
            "wave",
            "topic",
            "question_code",
            "followup_case",
            "objective",
            "objective_analysis",
            "complaint",
            "note",
        ]


class CriterionSerializer(serializers.ModelSerializer):
    verdict = _choice_text(CorrectiveAction.Verdict.choices, read_only=True)
    # The machine form (metric_key, metric_params) stays; `words` is what people read.
    words = serializers.CharField(read_only=True)

    class Meta:
        model = EffectivenessCriterion
        fields = [
            "id",
            "metric_key",
            "metric_params",
            "words",
            "target_change_pct",
            "baseline_value",
            "baseline_n",
            "followup_value",
            "followup_n",
            "change_pct",
            "verdict",
            "measured_at",
        ]


class TransitionSerializer(serializers.ModelSerializer):
    from_status = _choice_text(CorrectiveAction.Status.choices, read_only=True)
    to_status = _choice_text(CorrectiveAction.Status.choices, read_only=True)
    # The API keeps its keys `by` and `at` (the log's `actor` and `created_at`).
    by = serializers.PrimaryKeyRelatedField(
        source="actor", queryset=User.objects.all(), allow_null=True, required=False
    )
    at = serializers.DateTimeField(source="created_at", required=False)

    class Meta:
        model = ActionTransition
        fields = ["id", "from_status", "to_status", "by", "at", "note"]


class ActionSerializer(serializers.ModelSerializer):
    status = _choice_text(CorrectiveAction.Status.choices, read_only=True)
    source_kind = _choice_text(SourceKind.choices, read_only=True)
    verdict = _choice_text(CorrectiveAction.Verdict.choices, read_only=True)
    root_cause_method = _choice_text(CorrectiveAction.RootCauseMethod.choices, read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "topic",
            "department",
            "owner",
            "source_kind",
            "status",
            "justification",
            "duplicate_of",
            "containment",
            "containment_not_needed",
            "root_cause_method",
            "root_cause_whys",
            "root_cause_categories",
            "root_cause",
            "baseline_start",
            "baseline_end",
            "followup_start",
            "followup_end",
            "min_n",
            "implemented_by",
            "verdict",
            "measured_at",
            "verified_by",
            "verified_at",
            "due_date",
            "current_due_date",
            "closed_at",
        ]
        read_only_fields = fields


class ActionDetailSerializer(ActionSerializer):
    sources = SourceSerializer(many=True, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta(ActionSerializer.Meta):
        fields = [*ActionSerializer.Meta.fields, "sources", "criteria", "transitions"]
        read_only_fields = fields


class ActionCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    topic = serializers.PrimaryKeyRelatedField(
        queryset=Topic.objects.all(), required=False, allow_null=True
    )
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    due_date = serializers.DateField()
    source_kind = _choice_text(SourceKind.choices, default=SourceKind.MANUAL)
    wave = serializers.PrimaryKeyRelatedField(
        queryset=Wave.objects.all(), required=False, allow_null=True
    )
    question_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    followup_case = serializers.PrimaryKeyRelatedField(
        queryset=FollowUpCase.objects.all(), required=False, allow_null=True
    )
    objective = serializers.PrimaryKeyRelatedField(
        queryset=Objective.objects.all(), required=False, allow_null=True
    )
    objective_analysis = serializers.PrimaryKeyRelatedField(
        queryset=ObjectiveAnalysis.objects.all(), required=False, allow_null=True
    )
    complaint_ref = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Complaint reference(s), comma separated, e.g. CMP-2026-00001.",
    )


class ActionTransitionRequestSerializer(serializers.Serializer):
    to = _choice_text(CorrectiveAction.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    justification = serializers.CharField(required=False, allow_blank=True, default="")
    implemented_by = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class MeasureSerializer(serializers.ModelSerializer):
    status = _choice_text(Measure.Status.choices)

    class Meta:
        model = Measure
        fields = ["id", "action", "title", "owner", "department", "due_date", "status", "done_at"]
        read_only_fields = ["id", "action", "title", "owner", "department", "due_date", "done_at"]
