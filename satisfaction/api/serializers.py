from rest_framework import serializers

from customers.models import Customer, Segment
from surveys.models import Survey

from ..models import Answer, FollowUpCase, Invitation, Wave


class WaveSerializer(serializers.ModelSerializer):
    survey = serializers.IntegerField(source="survey_version.survey_id", read_only=True)
    version = serializers.IntegerField(source="survey_version.number", read_only=True)
    segment = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    invitation_count = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text="one_off, recurring or transactional")

    class Meta:
        model = Wave
        fields = [
            "id",
            "name",
            "survey",
            "version",
            "kind",
            "status",
            "segment",
            "language",
            "starts_at",
            "expires_after_days",
            "max_reminders",
            "reminder_interval_days",
            "contact_cap_days",
            "trigger",
            "trigger_delay_hours",
            "started_at",
            "closed_at",
            "invitation_count",
        ]


class WaveCreateSerializer(serializers.ModelSerializer):
    """A new draft wave of the survey's latest published version, as the wave form
    takes it; schedule it to start (at `starts_at`, now by default)."""

    survey = serializers.PrimaryKeyRelatedField(queryset=Survey.objects.all())
    segment = serializers.SlugRelatedField(
        slug_field="code", queryset=Segment.objects.all(), required=False, allow_null=True
    )
    max_reminders = serializers.IntegerField(required=False, min_value=0, max_value=5)

    class Meta:
        model = Wave
        fields = [
            "survey",
            "name",
            "kind",
            "segment",
            "language",
            "starts_at",
            "send_window_start",
            "send_window_end",
            "expires_after_days",
            "max_reminders",
            "reminder_interval_days",
            "contact_cap_days",
            "recurrence_days",
            "trigger",
            "trigger_delay_hours",
        ]


class TriggerSerializer(serializers.Serializer):
    wave = serializers.PrimaryKeyRelatedField(queryset=Wave.objects.all())
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    reference = serializers.CharField(required=False, allow_blank=True, max_length=80)
    delay_hours = serializers.IntegerField(required=False, min_value=0, max_value=24 * 60)


class InvitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = [
            "id",
            "wave",
            "customer",
            "trigger_ref",
            "state",
            "reason",
            "scheduled_at",
            "sent_at",
            "completed_at",
        ]


class AnswerExportSerializer(serializers.ModelSerializer):
    response = serializers.IntegerField(source="response_id")
    wave = serializers.IntegerField(source="wave_id")
    segment = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    choice = serializers.SlugRelatedField(slug_field="code", read_only=True)
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    customer = serializers.SerializerMethodField()

    class Meta:
        model = Answer
        fields = [
            "response",
            "wave",
            "submitted_at",
            "segment",
            "customer",
            "question_code",
            "kind",
            "value_int",
            "choice",
            "topic",
            "value_text",
        ]

    def get_customer(self, obj) -> int | None:
        if obj.survey.identity_mode != Survey.IdentityMode.IDENTIFIED:
            return None
        return obj.response.customer_id


class FollowUpCaseSerializer(serializers.ModelSerializer):
    survey = serializers.IntegerField(source="response.survey_id", read_only=True)
    survey_title = serializers.CharField(source="response.survey.title", read_only=True)
    wave = serializers.IntegerField(source="response.wave_id", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = FollowUpCase
        fields = [
            "id",
            "survey",
            "survey_title",
            "wave",
            "response",
            "customer",
            "customer_name",
            "owner",
            "reason",
            "state",
            "due_at",
            "is_overdue",
            "note",
            "closed_at",
            "escalated_at",
            "action_opened_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FollowUpStateSerializer(serializers.Serializer):
    """A state change as the case page makes it: the new state (the same one to only add
    a note) and an optional note appended to the case's notes."""

    state = serializers.ChoiceField(choices=FollowUpCase.State.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
