"""The topic's keywords on the topic's page (the customers app renders
`{% record_panels topic %}` and does not import this app)."""

from customers.models import Topic


def topic_keywords_panel(obj, user):
    if not isinstance(obj, Topic) or not getattr(user, "is_quality_manager", False):
        return None
    from django.urls import reverse

    from .forms import KeywordFormSet
    from .selectors import topic_keywords

    formset = KeywordFormSet(
        initial=[{"phrase": k.phrase, "language": k.language} for k in topic_keywords(topic=obj)]
    )
    return {
        "topic": obj,
        "formset": formset,
        "next": reverse("customers:topic-update", args=[obj.pk]),
    }


def register():
    from qms.dashboard import record_panels

    record_panels.add(
        key="topic-keywords",
        template="coding/partials/topic_keywords_panel.html",
        context=topic_keywords_panel,
        order=10,
    )
