from rest_framework.routers import SimpleRouter

from .views import CollectorViewSet, PlaceViewSet, ReceiptBatchViewSet

router = SimpleRouter()
router.register("places", PlaceViewSet, basename="place")
router.register("place-collectors", CollectorViewSet, basename="place-collector")
router.register("receipt-batches", ReceiptBatchViewSet, basename="receipt-batch")
