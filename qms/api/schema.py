"""The schema class of the whole API: drf-spectacular's, with the error answers every
operation can give documented (docs/architecture.md, "The API's schema tells the truth"):

- 400: the body names the fields refused (`{"field": ["…"]}`) or the rule
  (`{"detail": "…", "extra": …}` from an ApplicationError);
- 403: not signed in, or the role may not (`{"detail": "…"}`);
- 404: not in the caller's scope, no such record, or a page past the end
  (`{"detail": "…"}`).
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

_DETAIL = inline_serializer(
    name="ErrorDetail",
    fields={"detail": serializers.CharField()},
)

_BAD_REQUEST = {
    "type": "object",
    "description": "The fields refused with their messages, or `detail` (and `extra`) "
    "for a rule the request breaks.",
    "additionalProperties": {},
}

ERRORS = {
    "400": OpenApiResponse(description="Bad request: the body names what was refused."),
    "403": OpenApiResponse(
        response=_DETAIL, description="Not signed in, or the role may not do this."
    ),
    "404": OpenApiResponse(
        response=_DETAIL,
        description="Not found: no such record, not in the caller's scope, or no such page.",
    ),
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if direction != "response":
            return bodies
        for code, answer in ERRORS.items():
            if code in bodies:
                continue
            if code == "400":
                bodies[code] = {
                    "content": {"application/json": {"schema": _BAD_REQUEST}},
                    "description": answer.description,
                }
            else:
                bodies[code] = self._get_response_for_code(answer, code, direction=direction)
        return bodies
