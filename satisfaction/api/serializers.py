from rest_framework import serializers

from customers.models import Customer

from ..models import (
    AlertRule,
    Answer,
    Choice,
    Invitation,
    Question,
    Survey,
    SurveyVersion,
    Wave,
)


class ChoiceSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Choice
        fields = ["code", "position", "text_en", "text_zh_hans", "topic"]


class QuestionSerializer(serializers.ModelSerializer):
    choices = ChoiceSerializer(many=True, read_only=True)
    show_if_question = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Question
        fields = [
            "code",
            "position",
            "kind",
            "text_en",
            "text_zh_hans",
            "required",
            "scale_max",
            "show_if_question",
            "show_if_values",
            "choices",
        ]


class VersionSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = SurveyVersion
        fields = ["id", "number", "status", "published_at", "questions"]


class SurveySerializer(serializers.ModelSerializer):
    class Meta:
        model = Survey
        fields = ["id", "code", "title", "purpose", "identity_mode", "description", "created_at"]


class AlertRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertRule
        fields = [
            "id",
            "question_code",
            "condition",
            "value",
            "choice_code",
            "deadline_hours",
            "is_active",
            "updated_at",
        ]
        read_only_fields = fields


class SurveyDetailSerializer(SurveySerializer):
    versions = VersionSerializer(many=True, read_only=True)
    alert_rules = AlertRuleSerializer(many=True, read_only=True)

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "versions", "alert_rules"]


class WaveSerializer(serializers.ModelSerializer):
    survey = serializers.IntegerField(source="survey_version.survey_id", read_only=True)
    version = serializers.IntegerField(source="survey_version.number", read_only=True)
    segment = serializers.SlugRelatedField(slug_field="code", read_only=True)
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
    segment = serializers.SlugRelatedField(slug_field="code", read_only=True)
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
