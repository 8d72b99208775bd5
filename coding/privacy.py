"""The text coding's part of a customer's privacy export and erasure
(qms/privacy_registry.py): the texts the customer wrote (ticket descriptions, survey
comments, complaint descriptions, interview notes as the coding keeps them) and their
topic codings. Erasure blanks the words and keeps the codings, so counts by topic stay
true."""

from qms.privacy_registry import privacy, rows

from . import services
from .models import Coding, Text


def export_texts(subject):
    return rows(
        Text.objects.filter(customer=subject.customer).order_by("created_at", "id"),
        ("id", "kind", "language", "body", "created_at"),
    )


def export_codings(subject):
    return rows(
        Coding.objects.filter(text__customer=subject.customer).order_by("text_id", "id"),
        ("text_id", "topic__name", "origin", "confidence"),
    )


def erase_texts(subject):
    services.texts_erase(customer=subject.customer)


def register():
    privacy.register("coded_texts", models=(Text,), export=export_texts, erase=erase_texts)
    privacy.register(
        "text_codings",
        models=(Coding,),
        export=export_codings,
        erase=lambda subject: None,  # the topic and origin stay; the words went with the text
    )
