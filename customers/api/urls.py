from rest_framework.routers import SimpleRouter

from .views import CustomerViewSet, ImportJobViewSet, SegmentViewSet, TopicViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("segments", SegmentViewSet, basename="segment")
router.register("topics", TopicViewSet, basename="topic")
router.register("import-jobs", ImportJobViewSet, basename="importjob")
