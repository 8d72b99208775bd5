"""Dashboard dimensions of the customer register (found by qms.discovery). Its
numbers live with the data they count: research/, crm/ and requirements/ metrics."""

from django.utils.translation import gettext_lazy as _


def _topics():
    from .models import Topic

    return list(Topic.objects.filter(is_active=True).order_by("name").values_list("slug", "name"))


def _topic_label(value) -> str:
    from .models import Topic

    key = {"pk": int(value)} if str(value).isdigit() else {"slug": value}
    return Topic.objects.filter(**key).values_list("name", flat=True).first() or str(value)


def _segments():
    from .models import Segment

    return list(Segment.objects.order_by("name").values_list("code", "name"))


def register():
    from qms.dashboard import dimensions
    from qms.registry import param_kinds

    from .models import Segment

    param_kinds.add("topic", choices=_topics, label=_topic_label)
    param_kinds.add("segment", choices=_segments)

    dimensions.add(
        "segment",
        _("Segment"),
        lambda: list(Segment.objects.order_by("name").values_list("code", "name")),
    )
