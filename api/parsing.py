"""Request parsing: every way a body can fail to be JSON is a 400 in the envelope, never a 500."""

from __future__ import annotations

import json

import flask_smorest
from flask_smorest import abort
from webargs.flaskparser import FlaskParser


class BodyParser(FlaskParser):
    """webargs' parser, plus texts the JSON decoder refuses with errors other than JSONDecodeError."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:  # e.g. 100,000 nested brackets fit easily under the body limit
            abort(400, message="The JSON body is nested too deeply.",
                  errors={"_schema": ["Nested too deeply."]})
        except json.JSONDecodeError:
            raise  # webargs answers these itself
        except ValueError:  # an integer with more digits than Python converts
            abort(400, message="The request body is not valid JSON.",
                  errors={"_schema": ["A number has too many digits."]})


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with the parser above."""

    ARGUMENTS_PARSER = BodyParser()
