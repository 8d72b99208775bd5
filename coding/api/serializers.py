from rest_framework import serializers

from customers.models import Topic

from ..models import CandidateTopic, Coding, ModelVersion, Text, TopicKeyword


class CodingSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    topic_name = serializers.CharField(source="topic.name", read_only=True)
    confirmed_by = serializers.StringRelatedField()

    class Meta:
        model = Coding
        fields = [
            "id",
            "text",
            "topic",
            "topic_name",
            "origin",
            "confidence",
            "model_version",
            "confirmed_by",
            "confirmed_at",
        ]
        read_only_fields = fields


class TextSerializer(serializers.ModelSerializer):
    codings = serializers.SerializerMethodField()
    suggested_topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    source_type = serializers.CharField(source="content_type.model", read_only=True)

    class Meta:
        model = Text
        fields = [
            "id",
            "kind",
            "source_type",
            "object_id",
            "customer",
            "department",
            "body",
            "language",
            "written_at",
            "status",
            "suggested_topic",
            "suggested_confidence",
            "suggestions",
            "codings",
        ]
        read_only_fields = fields

    def get_codings(self, text) -> list[dict]:
        codings = self.context.get("codings", {}).get(text.pk)
        if codings is None:
            codings = list(text.codings.select_related("topic", "confirmed_by"))
        return CodingSerializer(codings, many=True).data


class CodeSerializer(serializers.Serializer):
    """Confirm or correct (mode "replace"), or add a topic (mode "add")."""

    topics = serializers.SlugRelatedField(
        slug_field="slug", queryset=Topic.objects.filter(is_active=True), many=True
    )
    mode = serializers.ChoiceField(choices=["replace", "add"], default="replace")


class BulkCodeSerializer(CodeSerializer):
    texts = serializers.ListField(child=serializers.IntegerField(), max_length=500)


class KeywordSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="slug", queryset=Topic.objects.all())

    class Meta:
        model = TopicKeyword
        fields = ["id", "topic", "phrase", "language"]
        read_only_fields = ["id"]


class ModelVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModelVersion
        fields = [
            "id",
            "trained_at",
            "n_examples",
            "accuracy",
            "metrics",
            "is_active",
            "load_error",
        ]
        read_only_fields = fields


class CandidateTopicSerializer(serializers.ModelSerializer):
    growth = serializers.IntegerField(read_only=True)
    emerging = serializers.BooleanField(read_only=True)
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = CandidateTopic
        fields = [
            "id",
            "top_terms",
            "example_text_ids",
            "size",
            "size_history",
            "growth",
            "emerging",
            "status",
            "topic",
            "last_seen_at",
        ]
        read_only_fields = fields


class MakeTopicSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    keywords = serializers.ListField(child=serializers.CharField(max_length=120), required=False)
