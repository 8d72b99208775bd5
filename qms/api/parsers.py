"""Request parsers for the whole API."""

import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# NUL (PostgreSQL refuses it in text and in jsonb) and lone surrogates (no encoding can
# write them); a JSON body can carry both as escapes ("\u0000", "\ud800").
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# Bulk endpoints take the body to the import engine, which reports every bad value as a
# row of its report (item and column) instead of refusing the whole body.
ITEM_REPORTING_ACTIONS = frozenset({"bulk"})


def _has_unstorable_text(data) -> bool:
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with two more kinds of malformed body made a 400:

    - nested too deeply for the decoder (``[[[[…]]]]``): a RecursionError otherwise;
    - a NUL or a lone surrogate in any key or string. Serializer CharFields refuse them,
      but JSON fields (metric parameters, cause categories, show-if values…) would hand
      them to the database, a server error on PostgreSQL.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
        view = (parser_context or {}).get("view")
        if getattr(view, "action", None) not in ITEM_REPORTING_ACTIONS and _has_unstorable_text(
            data
        ):
            raise ParseError(
                "The body holds a NUL character or a lone surrogate (\\u0000, \\ud800-\\udfff)."
            )
        return data
