from rest_framework.routers import SimpleRouter

from .views import CustomerViewSet, SegmentViewSet, TopicViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("segments", SegmentViewSet, basename="segment")
router.register("topics", TopicViewSet, basename="topic")
