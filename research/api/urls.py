from rest_framework.routers import SimpleRouter

from .views import InterviewViewSet, PurchaseViewSet, TicketViewSet

router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="ticket")
router.register("purchases", PurchaseViewSet, basename="purchase")
router.register("interviews", InterviewViewSet, basename="interview")
