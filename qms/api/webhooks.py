"""Webhooks out through the API (quality managers): register an address and its events,
change or switch it off, read its delivery log. The secret is in the answer to the
create and `secret` calls only."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qms import webhooks
from qms.models import WebhookDelivery, WebhookEndpoint


class IsQualityManager(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_quality_manager)


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(
            choices=[
                "response.received",
                "followup.opened",
                "complaint.opened",
                "complaint.closed",
                "action.status_changed",
            ]
        ),
        min_length=1,
        max_length=20,
        help_text="The events to send (see webhook-events).",
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "failures_in_row",
            "disabled_at",
            "last_status",
            "last_error",
            "last_attempt_at",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "failures_in_row",
            "disabled_at",
            "last_status",
            "last_error",
            "last_attempt_at",
            "created_at",
        ]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret: shown in this answer only."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_id",
            "payload",
            "state",
            "attempts",
            "last_status",
            "last_error",
            "delivered_at",
            "next_action_at",
            "created_at",
        ]
        read_only_fields = fields


class WebhookEventSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class WebhookEndpointViewSet(viewsets.ModelViewSet):
    permission_classes = [IsQualityManager]
    serializer_class = WebhookEndpointSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return WebhookEndpoint.objects.order_by("url", "id")

    @extend_schema(responses={201: WebhookEndpointCreatedSerializer})
    def create(self, request, *args, **kwargs):
        payload = WebhookEndpointSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        endpoint = webhooks.endpoint_create(
            url=data["url"],
            events=data["events"],
            description=data.get("description", ""),
            created_by=request.user,
        )
        return Response(
            WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )

    def perform_update(self, serializer):
        serializer.instance = webhooks.endpoint_update(
            endpoint=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        webhooks.endpoint_delete(endpoint=instance)

    @extend_schema(request=None, responses=WebhookEndpointCreatedSerializer)
    @action(detail=True, methods=["post"])
    def secret(self, request, pk=None):
        """Make a new secret (the old one stops working at once); shown in this answer."""
        endpoint = webhooks.endpoint_new_secret(endpoint=self.get_object())
        return Response(WebhookEndpointCreatedSerializer(endpoint).data)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The endpoint's delivery log, newest first (paginated)."""
        qs = self.get_object().deliveries.order_by("-created_at", "-id")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(responses=WebhookEventSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def events(self, request):
        """The events an endpoint can pick, in words."""
        return Response(
            [{"key": e.key, "label": str(e.label)} for e in webhooks.webhook_events.all()]
        )
