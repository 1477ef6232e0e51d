"""The OpenAPI document: flask-smorest's spec plus the worked examples in tests/situations."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from flask import Flask
from marshmallow import validate

SCREEN = ("/v1/screen", "post")
TOP_LEVEL_ORDER = ("openapi", "info", "tags", "paths", "components")


class ContractConverter(OpenAPIConverter):
    """apispec's converter, made to say all the schemas enforce: a request the spec allows, the server takes."""

    def field2range(self, field, ret) -> dict:
        """Minimum and maximum, exclusive where the validator is (`vary.step` must be above 0, not at it)."""
        attributes = super().field2range(field, ret)
        for validator in field.validators:
            if not isinstance(validator, validate.Range):
                continue
            for bound, inclusive, word in ((validator.min, validator.min_inclusive, "minimum"),
                                           (validator.max, validator.max_inclusive, "maximum")):
                exclusive = "exclusive" + word.capitalize()
                if bound is not None and not inclusive and attributes.get(word) == field._serialize(bound, None, None):
                    attributes[exclusive] = attributes.pop(word)
        return attributes

    def schema2jsonschema(self, schema) -> dict:
        """A schema's `Meta.json_schema` joins what apispec derives: rules across fields, such as `oneOf`."""
        jsonschema = super().schema2jsonschema(schema)
        jsonschema.update(getattr(getattr(schema, "Meta", None), "json_schema", {}))
        return jsonschema


class ContractPlugin(MarshmallowPlugin):
    """apispec's marshmallow plugin with the converter above."""

    Converter = ContractConverter


def load_examples(directory: str | None) -> dict:
    """Worked screening requests by name (file stem), each {summary, value}; none if the folder is absent."""
    folder = Path(directory) if directory else None
    if folder is None or not folder.is_dir():
        return {}
    examples = {}
    for path in sorted(folder.glob("*.json")):
        value = json.loads(path.read_text(encoding="utf-8"))
        examples[path.stem] = {"summary": path.stem.replace("_", " ").capitalize(), "value": value}
    return examples


def build_spec(app: Flask) -> dict:
    """The spec as a dict, with the screening examples attached to the request body."""
    api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    spec = api.spec.to_dict()
    examples = load_examples(app.config.get("EXAMPLES_DIR"))
    path, method = SCREEN
    if examples and path in spec.get("paths", {}):
        content = spec["paths"][path][method]["requestBody"]["content"]["application/json"]
        content["examples"] = examples
    _drop_unused_schemas(spec)
    # apispec puts `openapi` last; a reader expects the version first and the details last.
    return {key: spec[key] for key in (*TOP_LEVEL_ORDER, *spec) if key in spec}


def _drop_unused_schemas(spec: dict) -> None:
    """flask-smorest always registers PaginationMetadata; a schema nothing refers to is noise."""
    schemas = spec.get("components", {}).get("schemas", {})
    while True:
        text = json.dumps(spec)
        unused = [name for name in schemas if f'"#/components/schemas/{name}"' not in text]
        if not unused:
            return
        for name in unused:
            del schemas[name]


class _PlainDumper(yaml.SafeDumper):
    """A schema shared by two places is written out in both: no YAML anchors for a reader to chase."""

    def ignore_aliases(self, data) -> bool:
        return True


def spec_dict(app: Flask) -> dict:
    """The app's spec, built once and kept."""
    cache = app.extensions.setdefault("eligibility-spec", {})
    if "dict" not in cache:
        cache["dict"] = build_spec(app)
    return cache["dict"]


def spec_yaml(app: Flask) -> str:
    """The app's spec as YAML, exactly as `python -m api.spec` writes openapi.yaml."""
    cache = app.extensions.setdefault("eligibility-spec", {})
    if "yaml" not in cache:
        cache["yaml"] = yaml.dump(spec_dict(app), Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=100)
    return cache["yaml"]
