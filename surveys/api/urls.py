from rest_framework.routers import SimpleRouter

from .views import AlertRuleViewSet, QuestionViewSet, SurveyViewSet, VersionViewSet

router = SimpleRouter()
router.register("satisfaction/surveys", SurveyViewSet, basename="survey")
router.register("satisfaction/survey-versions", VersionViewSet, basename="survey-version")
router.register("satisfaction/survey-questions", QuestionViewSet, basename="survey-question")
router.register("satisfaction/alert-rules", AlertRuleViewSet, basename="alert-rule")
