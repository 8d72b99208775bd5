from rest_framework.routers import SimpleRouter

from .views import CheckInViewSet, KeyResultViewSet, ObjectiveViewSet

router = SimpleRouter()
router.register("objectives", ObjectiveViewSet, basename="objective")
router.register("key-results", KeyResultViewSet, basename="key-result")
router.register("check-ins", CheckInViewSet, basename="check-in")
