"""Dashboard dimensions of the customer register (found by qms.discovery). Its
numbers live with the data they count: research/, crm/ and requirements/ metrics."""

from django.utils.translation import gettext_lazy as _


def register():
    from qms.dashboard import dimensions

    from .models import Segment

    dimensions.add(
        "segment",
        _("Segment"),
        lambda: list(Segment.objects.order_by("name").values_list("code", "name")),
    )
