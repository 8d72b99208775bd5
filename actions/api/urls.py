from rest_framework.routers import SimpleRouter

from .views import ActionViewSet, MeasureViewSet

router = SimpleRouter()
router.register("actions", ActionViewSet, basename="action")
router.register("action-measures", MeasureViewSet, basename="action-measure")
