"""Validating HTTP requests against Twilio's published OpenAPI spec, in process.

A request the spec does not allow (unknown path or method, unknown or missing form field,
unknown query parameter, a value of the wrong type, outside an enum or pattern) yields a
violation. Form values arrive as strings (application/x-www-form-urlencoded), so types are
checked on their text; a repeated key is allowed only for ``type: array`` properties.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["SPEC_PATH", "OpenApiContract"]

SPEC_PATH = Path(__file__).parent / "spec" / "twilio_api_v2010.json"
Schema = dict[str, Any]
Pairs = list[tuple[str, str]]


@dataclass(frozen=True)
class _Operation:
    template: str
    path_params: dict[str, Schema]
    query_params: dict[str, Schema]
    form: Schema | None


class OpenApiContract:
    """The operations of one OpenAPI document, and a checker for requests against them."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self._spec = spec
        self._routes: list[tuple[re.Pattern[str], dict[str, _Operation]]] = []
        for template, item in spec["paths"].items():
            pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template))
            ops = {
                method.upper(): self._operation(template, item, op)
                for method, op in item.items()
                if method in ("get", "post", "put", "delete", "patch")
            }
            self._routes.append((re.compile(f"^{pattern}$"), ops))

    @classmethod
    def load(cls, path: Path = SPEC_PATH) -> OpenApiContract:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def _operation(self, template: str, item: dict[str, Any], op: dict[str, Any]) -> _Operation:
        params = [*item.get("parameters", []), *op.get("parameters", [])]
        by_place: dict[str, dict[str, Schema]] = {"path": {}, "query": {}}
        for param in params:
            if param["in"] in by_place:
                by_place[param["in"]][param["name"]] = param
        body = op.get("requestBody", {}).get("content", {})
        form = body.get("application/x-www-form-urlencoded", {}).get("schema")
        return _Operation(template, by_place["path"], by_place["query"], form)

    def _resolve(self, schema: Schema) -> Schema:
        while "$ref" in schema:
            node: Any = self._spec
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def check(self, method: str, url: str, query: Pairs, form: Pairs) -> list[str]:
        """Violations of the spec by this request (empty if it is allowed)."""
        path = urlsplit(url).path
        for pattern, ops in self._routes:
            match = pattern.match(path)
            if match is None:
                continue
            op = ops.get(method.upper())
            if op is None:
                return [f"{method} {path}: method not in the spec ({', '.join(ops)})"]
            where = f"{method} {op.template}"
            problems = self._check_path(where, op, match.groupdict())
            problems += self._check_query(where, op, query)
            problems += self._check_form(where, op, form)
            return problems
        return [f"{method} {path}: no such path in the spec"]

    def _check_path(self, where: str, op: _Operation, values: dict[str, str]) -> list[str]:
        return [
            problem
            for name, value in values.items()
            for problem in self._check_value(f"{where} path {name}", op.path_params[name], value)
        ]

    def _check_query(self, where: str, op: _Operation, query: Pairs) -> list[str]:
        problems = []
        for name, value in query:
            if name not in op.query_params:
                problems.append(f"{where}: unknown query parameter {name}")
            else:
                param = op.query_params[name]["schema"]
                problems += self._check_value(f"{where} query {name}", {"schema": param}, value)
        return problems

    def _check_form(self, where: str, op: _Operation, form: Pairs) -> list[str]:
        if op.form is None:
            return [f"{where}: takes no form body"] if form else []
        schema = self._resolve(op.form)
        props: dict[str, Schema] = schema.get("properties", {})
        names = [name for name, _ in form]
        problems = [
            f"{where}: missing required field {name}"
            for name in schema.get("required", [])
            if name not in names
        ]
        for name, value in form:
            if name not in props:
                problems.append(f"{where}: unknown form field {name}")
                continue
            prop = self._resolve(props[name])
            if names.count(name) > 1 and prop.get("type") != "array":
                problems.append(f"{where}: field {name} repeated but not an array")
            problems += self._check_value(f"{where} field {name}", {"schema": prop}, value)
        return problems

    def _check_value(self, what: str, param: Schema, value: str) -> list[str]:
        schema = self._resolve(param.get("schema", {}))
        if schema.get("type") == "array":
            schema = self._resolve(schema.get("items", {}))
        kind = schema.get("type", "string")
        if kind == "integer" and not re.fullmatch(r"-?\d+", value):
            return [f"{what}: {value!r} is not an integer"]
        if kind == "number" and not re.fullmatch(r"-?\d+(\.\d+)?", value):
            return [f"{what}: {value!r} is not a number"]
        if kind == "boolean" and value.lower() not in ("true", "false"):
            return [f"{what}: {value!r} is not a boolean"]
        if "enum" in schema and value not in schema["enum"]:
            return [f"{what}: {value!r} not one of {schema['enum']}"]
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return [f"{what}: {value!r} does not match {schema['pattern']}"]
        if schema.get("format") == "uri" and urlsplit(value).scheme not in ("http", "https"):
            return [f"{what}: {value!r} is not an absolute http(s) URL"]
        return []
