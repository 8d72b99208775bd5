from rest_framework.routers import SimpleRouter

from .views import BookingViewSet, ComplaintViewSet, InteractionViewSet, PreferenceViewSet

router = SimpleRouter()
router.register("interactions", InteractionViewSet, basename="interaction")
router.register("preferences", PreferenceViewSet, basename="preference")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("bookings", BookingViewSet, basename="booking")
