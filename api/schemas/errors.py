"""The one error envelope every 4xx and 5xx answer uses."""

from __future__ import annotations

from marshmallow import fields

from api.schemas.common import StrictSchema


class ErrorSchema(StrictSchema):
    """status, code, message and errors mirroring the request's shape down to each bad field."""

    status = fields.Integer(required=True, metadata={"description": "The HTTP status code.", "example": 422})
    code = fields.String(required=True, metadata={
        "description": "A stable, machine-readable error code.", "example": "invalid_request"})
    message = fields.String(required=True, metadata={"description": "What went wrong, for a person."})
    errors = fields.Dict(required=True, metadata={
        "description": "Every problem found, nested as the request is, e.g. {\"household\": {\"members\": "
                       "{\"1\": {\"age\": [\"Must be greater than or equal to 0.\"]}}}}. "
                       "`_schema` holds problems with an object as a whole."})
    request_id = fields.String(metadata={"description": "Quote it when reporting a server error."})
