"""Project-wide request guards."""

from django.core.exceptions import BadRequest
from django.http import JsonResponse


class RejectNulCharactersMiddleware:
    """A NUL character in a query string or form field is a 400 Bad Request.

    No one types one; PostgreSQL refuses it in any text it is given, so a NUL reaching a
    filter or a lookup (a search box, a status filter, a customer reference) was a server
    error. Django's form CharFields already refuse it, but only after a field's own
    conversion has run, and plain GET parameters are not forms. One check here covers
    every page; the JSON API's serializer fields refuse NUL on their own.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            if request.path.startswith("/api/"):
                # The API answers in JSON, as its schema documents every 400.
                return JsonResponse(
                    {"detail": "The request holds a NUL character (\\u0000)."}, status=400
                )
            raise BadRequest("NUL character in the request")
        return self.get_response(request)


def _has_nul(query_dict) -> bool:
    return any(
        "\x00" in key or any("\x00" in v for v in values) for key, values in query_dict.lists()
    )
