"""API of text coding: the same selectors and services as the pages, the same roles
(quality managers code everything and manage topics and keywords; department heads code
their department's texts; viewers read; anyone else gets 403 or an empty list)."""

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from customers.models import Topic

from .. import selectors, services
from ..models import Text, TopicKeyword
from .serializers import (
    BulkCodeSerializer,
    CandidateTopicSerializer,
    CodeSerializer,
    CodingSerializer,
    KeywordSerializer,
    MakeTopicSerializer,
    ModelVersionSerializer,
    TextSerializer,
)


class CanCode(permissions.BasePermission):
    """Quality managers, viewers (read only) and department heads."""

    def has_permission(self, request, view):
        if not selectors.user_can_use_queue(request.user):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        # Writes: quality managers, and heads for their own department's texts; the
        # viewer reads everything and codes nothing.
        user = request.user
        return user.is_quality_manager or bool(selectors.headed_department_ids(user))

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        text = obj if isinstance(obj, selectors.Text) else obj.text
        return selectors.user_can_code_text(request.user, text)


class ManagesTopicsOrReadOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        if not selectors.user_can_use_queue(request.user):
            return False
        return request.method in permissions.SAFE_METHODS or selectors.user_can_manage_topics(
            request.user
        )


class ViewAllOrReadManage(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        if not getattr(user, "can_view_all", False):
            return False
        return request.method in permissions.SAFE_METHODS or user.is_quality_manager


def _text_page(view, qs):
    page = view.paginate_queryset(qs)
    items = page if page is not None else list(qs)
    context = {**view.get_serializer_context(), "codings": selectors.text_codings(texts=items)}
    data = TextSerializer(items, many=True, context=context).data
    return view.get_paginated_response(data) if page is not None else Response(data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", str, description="ticket, survey_comment, complaint, …"),
            OpenApiParameter("status", str, description="pending, coded, queued, empty"),
            OpenApiParameter("topic", str, description="Only texts coded to this topic (code)."),
            OpenApiParameter("q", str, description="Words in the text."),
        ]
    )
)
class TextViewSet(viewsets.ReadOnlyModelViewSet):
    """Texts and their codings; `queue/` is the coding queue; POST `{id}/code/` confirms,
    corrects or adds topics; POST `code/` codes several texts at once."""

    serializer_class = TextSerializer
    permission_classes = [CanCode]

    def get_queryset(self):
        params = self.request.query_params
        topic = None
        if params.get("topic"):
            topic = Topic.objects.filter(slug=params["topic"]).first()
            if topic is None:
                return Text.objects.none()
        return selectors.text_list(
            user=self.request.user,
            kind=params.get("kind", ""),
            status=params.get("status", ""),
            topic=topic,
            search=params.get("q", ""),
        )

    def list(self, request, *args, **kwargs):
        return _text_page(self, self.get_queryset())

    @extend_schema(
        parameters=[OpenApiParameter("suggested", str, description="Topic code of the group.")],
        responses=TextSerializer(many=True),
    )
    @action(detail=False)
    def queue(self, request):
        """Uncoded and low-confidence texts, best suggestions first."""
        suggested = None
        if request.query_params.get("suggested"):
            suggested = Topic.objects.filter(slug=request.query_params["suggested"]).first()
        return _text_page(self, selectors.queue_texts(user=request.user, suggested=suggested))

    @extend_schema(
        responses=inline_serializer(
            "QueueGroup",
            {
                "topic": serializers.CharField(allow_null=True),
                "topic_name": serializers.CharField(allow_null=True),
                "count": serializers.IntegerField(),
            },
            many=True,
        )
    )
    @action(detail=False, url_path="queue/groups", pagination_class=None)
    def queue_groups(self, request):
        """The queue grouped by the model's best suggestion, most frequent first."""
        return Response(
            [
                {
                    "topic": group.topic.slug if group.topic else None,
                    "topic_name": group.topic.name if group.topic else None,
                    "count": group.count,
                }
                for group in selectors.queue_groups(user=request.user)
            ]
        )

    @extend_schema(request=CodeSerializer, responses=TextSerializer)
    @action(detail=True, methods=["post"])
    def code(self, request, pk=None):
        text = self.get_object()
        serializer = CodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        text = services.text_code(
            text=text,
            topics=serializer.validated_data["topics"],
            user=request.user,
            replace=serializer.validated_data["mode"] == "replace",
        )
        return Response(TextSerializer(text, context=self.get_serializer_context()).data)

    @extend_schema(
        request=BulkCodeSerializer,
        responses=inline_serializer("BulkCodeResult", {"coded": serializers.IntegerField()}),
        operation_id="coding_texts_code_many",
    )
    @action(detail=False, methods=["post"], url_path="code")
    def code_many(self, request):
        serializer = BulkCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        texts = [
            text
            for text in self.get_queryset().filter(pk__in=data["texts"])
            if selectors.user_can_code_text(request.user, text)
        ]
        count = services.texts_code(
            texts=texts,
            topics=data["topics"],
            user=request.user,
            replace=data["mode"] == "replace",
        )
        return Response({"coded": count})


class CodingViewSet(mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """Codings of the texts the user reads; DELETE removes a wrong topic from a text."""

    serializer_class = CodingSerializer
    permission_classes = [CanCode]

    def get_queryset(self):
        return (
            selectors.Coding.objects.filter(text__in=selectors.text_list(user=self.request.user))
            .select_related("topic", "confirmed_by")
            .order_by("-id")
        )

    def perform_destroy(self, instance):
        services.coding_remove(coding=instance, user=self.request.user)


class KeywordViewSet(
    mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The topics' keywords and phrases (rules); quality managers add and remove them."""

    serializer_class = KeywordSerializer
    permission_classes = [ManagesTopicsOrReadOnly]

    def get_queryset(self):
        topic = None
        if self.request.query_params.get("topic"):
            topic = Topic.objects.filter(slug=self.request.query_params["topic"]).first()
            if topic is None:
                return TopicKeyword.objects.none()
        return selectors.keyword_list(user=self.request.user, topic=topic)

    def perform_create(self, serializer):
        topic = serializer.validated_data["topic"]
        phrases = [(k.phrase, k.language) for k in topic.keywords.all()]
        phrases.append((serializer.validated_data["phrase"], serializer.validated_data["language"]))
        services.keywords_set(topic=topic, keywords=phrases)
        services.recode_queue()
        serializer.instance = topic.keywords.get(phrase=" ".join(phrases[-1][0].split()))

    def perform_destroy(self, instance):
        topic = instance.topic
        services.keywords_set(
            topic=topic,
            keywords=[(k.phrase, k.language) for k in topic.keywords.exclude(pk=instance.pk)],
        )


class ModelVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """The model's versions with their accuracy on held-back confirmed codings and the
    per-topic precision and recall (`metrics`); POST `train/` trains a new one."""

    serializer_class = ModelVersionSerializer
    permission_classes = [ViewAllOrReadManage]

    def get_queryset(self):
        return selectors.model_versions(user=self.request.user)

    @action(detail=False, methods=["post"])
    def train(self, request):
        version = services.model_train()
        if version is None:
            return Response(
                {"detail": "Too few confirmed codings to learn from."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        services.recode_queue()
        return Response(ModelVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class CandidateTopicViewSet(viewsets.ReadOnlyModelViewSet):
    """Groups of texts that fit no topic (open ones by default; ?status=accepted|dismissed);
    POST `{id}/make_topic/` turns one into a topic with keywords."""

    serializer_class = CandidateTopicSerializer
    permission_classes = [ViewAllOrReadManage]

    def get_queryset(self):
        status_ = self.request.query_params.get("status", "open")
        if self.action != "list":
            status_ = ""
        return selectors.candidate_list(user=self.request.user, status=status_)

    @extend_schema(request=MakeTopicSerializer)
    @action(detail=True, methods=["post"])
    def make_topic(self, request, pk=None):
        candidate = self.get_object()
        serializer = MakeTopicSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        topic = services.candidate_make_topic(
            candidate=candidate,
            name=serializer.validated_data["name"],
            keywords=serializer.validated_data.get("keywords", candidate.top_terms[:5]),
            user=request.user,
        )
        return Response({"topic": topic.slug, "id": topic.pk}, status=status.HTTP_201_CREATED)
