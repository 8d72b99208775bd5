"""The surveys API: survey authoring through the builder's services (surveys.services),
so an integration runs the survey programme without the pages. Quality managers and
viewers read; quality managers write (create a survey, start a new draft version, add,
change, reorder and remove questions of every type in both languages with their choices
and show-if conditions, edit the customer texts, set alert rules, publish with the
builder's publish check). A survey's answers are served by the satisfaction app at the
same address (`satisfaction/surveys/<id>/responses/`); waves and invitations too
(`satisfaction/waves/`, `satisfaction/invitations/`)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qms.exceptions import ApplicationError

from .. import services
from ..forms import answer_options
from ..models import AlertRule, Question, Survey, SurveyVersion
from .serializers import (
    AlertRuleSerializer,
    AlertRuleUpdateSerializer,
    QuestionSerializer,
    QuestionUpdateSerializer,
    QuestionWriteSerializer,
    ReorderSerializer,
    SurveyDetailSerializer,
    SurveySerializer,
    VersionSerializer,
    VersionTextsSerializer,
)


class ReadAllWriteQualityManager(permissions.BasePermission):
    """Quality managers and read-only viewers read; only quality managers write."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.can_view_all):
            return False
        return request.method in permissions.SAFE_METHODS or user.is_quality_manager


def _versions_prefetch():
    return Prefetch(
        "versions",
        queryset=SurveyVersion.objects.order_by("-number").prefetch_related(_questions_prefetch()),
    )


def _questions_prefetch():
    return Prefetch(
        "questions",
        queryset=Question.objects.select_related("show_if_question").prefetch_related(
            "choices__topic"
        ),
    )


class SurveyViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    permission_classes = [ReadAllWriteQualityManager]
    serializer_class = SurveySerializer
    filterset_fields = ["purpose", "identity_mode", "code"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = Survey.objects.all().order_by("title", "id")
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                _versions_prefetch(),
                Prefetch("alert_rules", queryset=AlertRule.objects.order_by("question_code", "id")),
            )
        return qs

    def get_serializer_class(self):
        return SurveyDetailSerializer if self.action == "retrieve" else SurveySerializer

    def perform_create(self, serializer):
        """A new survey with its draft version 1 (standard thank-you and e-mail texts)."""
        serializer.instance = services.survey_create(
            created_by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.survey_update(
            survey=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=None, responses={201: VersionSerializer})
    @action(detail=True, methods=["post"])
    def draft(self, request, pk=None):
        """The survey's draft version: the existing one, or a new one copied from the
        latest published version (questions, choices, show-if conditions, same codes)."""
        version = services.version_draft_get_or_create(survey=self.get_object())
        return Response(_version_data(version.pk), status=status.HTTP_201_CREATED)


def _version_data(pk: int) -> dict:
    version = SurveyVersion.objects.prefetch_related(_questions_prefetch()).get(pk=pk)
    return VersionSerializer(version).data


def _show_if(version: SurveyVersion, data: dict) -> dict:
    """`show_if_question` (a code) → the question of `version`; `show_if_values` checked
    against its answers, typed as the builder stores them (numbers or choice codes)."""
    if "show_if_question" not in data:
        return data
    code = data["show_if_question"]
    if not code:
        data["show_if_question"] = None
        data["show_if_values"] = []
        return data
    source = (
        version.questions.filter(code=code).exclude(kind=Question.Kind.TEXT).first()
        if code
        else None
    )
    if source is None:
        raise serializers.ValidationError(
            {"show_if_question": [f"This version has no question “{code}” with answers to read."]}
        )
    options = {str(value): value for value, _label in answer_options(source)}
    values = data.get("show_if_values") or []
    unknown = [v for v in values if v not in options]
    if unknown:
        raise serializers.ValidationError(
            {"show_if_values": [f"Not an answer of “{code}”: {', '.join(unknown)}."]}
        )
    data["show_if_question"] = source
    data["show_if_values"] = [options[v] for v in values]
    return data


def _question_fields(version: SurveyVersion, data: dict) -> dict:
    data = _show_if(version, dict(data))
    if "choices" in data:
        data["choices"] = [dict(c) for c in data["choices"]]
    return data


class VersionViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Versions of surveys with their questions. A draft changes (texts, questions); a
    published version is frozen (400)."""

    permission_classes = [ReadAllWriteQualityManager]
    serializer_class = VersionSerializer
    filterset_fields = ["survey", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            SurveyVersion.objects.select_related("survey")
            .prefetch_related(_questions_prefetch())
            .order_by("survey_id", "-number")
        )

    @extend_schema(request=VersionTextsSerializer, responses=VersionSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change the draft's customer texts (introduction, thank-you, e-mails) in both
        languages."""
        payload = VersionTextsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = services.version_update_texts(version=self.get_object(), **payload.validated_data)
        return Response(_version_data(version.pk))

    @extend_schema(request=QuestionWriteSerializer, responses={201: QuestionSerializer})
    @action(detail=True, methods=["post"])
    def questions(self, request, pk=None):
        """Add a question at the end of the draft, any type, both languages, with its
        choices (choice, multiple-choice and driver questions) and show-if condition."""
        version = self.get_object()
        payload = QuestionWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = services.question_create(
            version=version, **_question_fields(version, payload.validated_data)
        )
        return Response(_question_data(question.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=ReorderSerializer, responses=VersionSerializer)
    @action(detail=True, methods=["post"])
    def reorder(self, request, pk=None):
        """Put the draft's questions in the given order (every question id once); a
        question never comes above the question its show-if condition reads."""
        payload = ReorderSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = self.get_object()
        services.question_reorder(version=version, order=payload.validated_data["order"])
        return Response(_version_data(version.pk))

    @extend_schema(request=None, responses=VersionSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the draft with the builder's check (at least one question, two
        choices per choice question, no text a customer would see empty in a language the
        survey is sent in); the default alert rules are set on a survey that never had
        any."""
        version = services.version_publish(version=self.get_object(), user=request.user)
        return Response(_version_data(version.pk))


def _question_data(pk: int) -> dict:
    question = (
        Question.objects.select_related("show_if_question")
        .prefetch_related("choices__topic")
        .get(pk=pk)
    )
    return QuestionSerializer(question).data


class QuestionViewSet(
    mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Questions of survey versions; a draft's question changes or goes."""

    permission_classes = [ReadAllWriteQualityManager]
    serializer_class = QuestionSerializer
    filterset_fields = ["version", "kind"]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (
            Question.objects.select_related("version", "show_if_question")
            .prefetch_related("choices__topic")
            .order_by("version_id", "position", "id")
        )

    @extend_schema(request=QuestionUpdateSerializer, responses=QuestionSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change a draft's question; `choices`, when given, replace its choices."""
        question = self.get_object()
        payload = QuestionUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        fields = _question_fields(question.version, payload.validated_data)
        if fields.get("show_if_question") is not None and fields["show_if_question"] == question:
            raise ApplicationError("A question can only depend on an earlier question.")
        question = services.question_update(question=question, **fields)
        return Response(_question_data(question.pk))

    def perform_destroy(self, instance):
        services.question_delete(question=instance)


class AlertRuleViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Alert rules: which answers open a follow-up case and how soon it is due, checked
    against the survey's latest version like the builder's rule form."""

    permission_classes = [ReadAllWriteQualityManager]
    serializer_class = AlertRuleSerializer
    filterset_fields = ["survey", "is_active"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return AlertRule.objects.order_by("survey_id", "question_code", "id")

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return AlertRuleUpdateSerializer
        return AlertRuleSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.alert_rule_create(survey=data.pop("survey"), **data)

    def perform_update(self, serializer):
        serializer.instance = services.alert_rule_update(
            rule=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.alert_rule_delete(rule=instance)
