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
