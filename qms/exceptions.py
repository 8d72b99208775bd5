"""ApplicationError: a rule was broken, with a message a user can read."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """Raised by services when an operation is refused. Views show `message` on the
    form or as a flash message; the API returns it as a 400."""

    def __init__(self, message, extra=None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}

    def __str__(self):
        return str(self.message)


def task_failure_text(exc: Exception, *, time_limit: str, other: str) -> str:
    """What a background job's row tells its user when the task failed: `time_limit` when
    Celery's soft time limit stopped it, an ApplicationError's own message, otherwise
    `other` with `%(error)s` filled by the exception's type and text (cut to 500)."""
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(exc, SoftTimeLimitExceeded):
        return time_limit
    if isinstance(exc, ApplicationError):
        return str(exc)
    return other % {"error": f"{type(exc).__name__}: {exc}"[:500]}


def api_exception_handler(exc, context):
    """One handler for the whole API: ApplicationError and model validation → 400."""
    if isinstance(exc, ApplicationError):
        return Response(
            {"detail": str(exc.message), "extra": exc.extra}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    return exception_handler(exc, context)
