from rest_framework.routers import DefaultRouter

from .views import (
    DepartmentViewSet,
    ImpactAssessmentViewSet,
    InterestedPartyViewSet,
    ManagementReviewViewSet,
    MetricViewSet,
    PartyConflictViewSet,
    PersonViewSet,
)
from .webhooks import WebhookEndpointViewSet

router = DefaultRouter()
router.register("departments", DepartmentViewSet, basename="department")
router.register("people", PersonViewSet, basename="person")
router.register("metrics", MetricViewSet, basename="metric")
router.register("interested-parties", InterestedPartyViewSet, basename="interested-party")
router.register("impact-assessments", ImpactAssessmentViewSet, basename="impact-assessment")
router.register("party-conflicts", PartyConflictViewSet, basename="party-conflict")
router.register("management-reviews", ManagementReviewViewSet, basename="management-review")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
