from rest_framework.routers import SimpleRouter

from .views import (
    CandidateTopicViewSet,
    CodingViewSet,
    KeywordViewSet,
    ModelVersionViewSet,
    TextViewSet,
)

router = SimpleRouter()
router.register("coding/texts", TextViewSet, basename="coding-text")
router.register("coding/codings", CodingViewSet, basename="coding-coding")
router.register("coding/keywords", KeywordViewSet, basename="coding-keyword")
router.register("coding/models", ModelVersionViewSet, basename="coding-model")
router.register("coding/candidates", CandidateTopicViewSet, basename="coding-candidate")
