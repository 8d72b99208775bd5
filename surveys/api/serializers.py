from rest_framework import serializers

from customers.models import Topic

from ..models import AlertRule, Choice, Question, Survey, SurveyVersion


class ChoiceSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Choice
        fields = ["code", "position", "text_en", "text_zh_hans", "topic"]


class QuestionSerializer(serializers.ModelSerializer):
    choices = ChoiceSerializer(many=True, read_only=True)
    show_if_question = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Question
        fields = [
            "id",
            "code",
            "position",
            "kind",
            "text_en",
            "text_zh_hans",
            "help_en",
            "help_zh_hans",
            "required",
            "scale_max",
            "low_label_en",
            "low_label_zh_hans",
            "high_label_en",
            "high_label_zh_hans",
            "show_if_question",
            "show_if_values",
            "choices",
        ]


class VersionSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)
    survey = serializers.IntegerField(source="survey_id", read_only=True)

    class Meta:
        model = SurveyVersion
        fields = [
            "id",
            "survey",
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
        read_only_fields = ["id", "survey", "number", "status", "published_at", "questions"]


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
        read_only_fields = ["id", "code", "created_at"]


class AlertRuleSerializer(serializers.ModelSerializer):
    survey = serializers.PrimaryKeyRelatedField(queryset=Survey.objects.all())

    class Meta:
        model = AlertRule
        fields = [
            "id",
            "survey",
            "question_code",
            "condition",
            "value",
            "choice_code",
            "deadline_hours",
            "is_active",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]


class SurveyDetailSerializer(SurveySerializer):
    versions = VersionSerializer(many=True, read_only=True)
    alert_rules = AlertRuleSerializer(many=True, read_only=True)

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "versions", "alert_rules"]


class AlertRuleUpdateSerializer(AlertRuleSerializer):
    survey = serializers.IntegerField(source="survey_id", read_only=True)


class ChoiceInputSerializer(serializers.Serializer):
    """One answer option, in order. `code` keeps an existing choice's code (reports,
    alert rules and show-if conditions read it); leave it out on a new one."""

    code = serializers.SlugField(required=False, max_length=40)
    text_en = serializers.CharField(max_length=200, allow_blank=True)
    text_zh_hans = serializers.CharField(max_length=200, required=False, allow_blank=True)
    topic = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Topic.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )


_TEXT = {"max_length": 500, "required": False, "allow_blank": True}
_HELP = {**_TEXT, "max_length": 300}
_LABEL = {**_TEXT, "max_length": 60}


class QuestionWriteSerializer(serializers.Serializer):
    """A question as the builder's form takes it. `show_if_question` is the code of an
    earlier question of the same version; `show_if_values` its answers (numbers of a
    scale, 1/0 of a consent, choice codes) that make this one appear."""

    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    code = serializers.SlugField(max_length=40, required=False)
    text_en = serializers.CharField(**_TEXT)
    text_zh_hans = serializers.CharField(**_TEXT)
    help_en = serializers.CharField(**_HELP)
    help_zh_hans = serializers.CharField(**_HELP)
    required = serializers.BooleanField(required=False, default=False)
    scale_max = serializers.IntegerField(required=False, min_value=2, max_value=11)
    low_label_en = serializers.CharField(**_LABEL)
    low_label_zh_hans = serializers.CharField(**_LABEL)
    high_label_en = serializers.CharField(**_LABEL)
    high_label_zh_hans = serializers.CharField(**_LABEL)
    show_if_question = serializers.SlugField(max_length=40, required=False, allow_null=True)
    show_if_values = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=50
    )
    choices = ChoiceInputSerializer(many=True, required=False, max_length=50)


class QuestionUpdateSerializer(QuestionWriteSerializer):
    kind = serializers.ChoiceField(choices=Question.Kind.choices, required=False)


class ReorderSerializer(serializers.Serializer):
    order = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=500,
        help_text="Every question id of the version, in the new order.",
    )


class VersionTextsSerializer(serializers.Serializer):
    """The draft's customer texts in both languages (only those given change)."""

    def get_fields(self):
        return {
            f"{name}_{suffix}": serializers.CharField(
                required=False, allow_blank=True, max_length=5000
            )
            for name in SurveyVersion.CUSTOMER_TEXTS
            for suffix in ("en", "zh_hans")
        }


class PublishCheckSerializer(serializers.Serializer):
    """Why a version cannot be published: the texts a customer would see empty."""

    detail = serializers.CharField()
