from rest_framework import serializers

from ..models import AlertRule, Choice, Question, Survey, SurveyVersion


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
        fields = [
            "id",
            "number",
            "status",
            "published_at",
            *(
                f"{name}_{suffix}"
                for name in SurveyVersion.CUSTOMER_TEXTS
                for suffix in ("en", "zh_hans")
            ),
            "questions",
        ]


class SurveySerializer(serializers.ModelSerializer):
    class Meta:
        model = Survey
        fields = [
            "id",
            "code",
            "title",
            "title_zh_hans",
            "languages",
            "purpose",
            "identity_mode",
            "description",
            "created_at",
        ]


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
