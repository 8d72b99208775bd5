from rest_framework.routers import SimpleRouter

from .requirement_views import DeploymentViewSet, RequirementViewSet
from .views import (
    CustomerViewSet,
    InterviewViewSet,
    PurchaseViewSet,
    SegmentViewSet,
    TicketViewSet,
    TopicViewSet,
)

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("segments", SegmentViewSet, basename="segment")
router.register("topics", TopicViewSet, basename="topic")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("purchases", PurchaseViewSet, basename="purchase")
router.register("interviews", InterviewViewSet, basename="interview")

router.register("requirements", RequirementViewSet, basename="requirement")
router.register("deployments", DeploymentViewSet, basename="deployment")

# CRM: interactions, preferences, complaints, bookings.
from .crm_views import (  # noqa: E402
    BookingViewSet,
    ComplaintViewSet,
    InteractionViewSet,
    PreferenceViewSet,
)

router.register("interactions", InteractionViewSet, basename="interaction")
router.register("preferences", PreferenceViewSet, basename="preference")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("bookings", BookingViewSet, basename="booking")
