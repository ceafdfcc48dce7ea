#!/usr/bin/env python3
"""Writes Tests/Fixtures/constrained/schemas.json: the JSON Schemas the constrained-generation
validity test runs (hand-written ones, then generated ones that together use every keyword
ZooGrammar supports), and person.json, its "person" schema alone, for the README's
`--json-schema person.json` example (ReadmeExampleTests). Deterministic: a second run writes the same files.

Strings, arrays and extra properties are bounded, because the test's model has random weights:
it never "decides" to close a string, so an unbounded one would only end at max_tokens.
oneOf alternatives are of distinct JSON types, so exactly one of them can match.
"""
import json
import pathlib
import random

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/Fixtures/constrained/schemas.json"

HAND_WRITTEN = {
    "person": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 12},
            "age": {"type": "integer", "minimum": 0, "maximum": 130},
            "email": {"type": "string", "pattern": "^[a-z]{1,8}@[a-z]{1,8}\\.(com|org)$"},
        },
        "required": ["name", "age"],
        "additionalProperties": False,
    },
    "address-book": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "street": {"type": "string", "maxLength": 10},
                "zip": {"type": "string", "pattern": "^\\d{5}$"},
                "country": {"enum": ["JP", "FR", "US", "BR"]},
            },
            "required": ["street", "zip", "country"],
        },
        "minItems": 1,
        "maxItems": 3,
    },
    "event": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "starts": {"type": "string", "format": "date-time"},
            "day": {"type": "string", "format": "date"},
            "at": {"type": "string", "format": "time"},
        },
        "required": ["id", "starts", "day", "at"],
    },
    "point-tuple": {
        "type": "array",
        "prefixItems": [{"type": "number", "minimum": -90, "maximum": 90}, {"type": "number", "minimum": -180, "maximum": 180}],
        "items": False,
        "minItems": 2,
    },
    "status": {"enum": ["queued", "running", "done", 0, None, True]},
    "const-version": {"type": "object", "properties": {"version": {"const": "1.0"}, "ok": {"type": "boolean"}}, "required": ["version", "ok"]},
    "nullable-fields": {
        "type": "object",
        "properties": {
            "note": {"type": ["string", "null"], "maxLength": 6},
            "count": {"type": ["integer", "null"], "exclusiveMinimum": 0, "exclusiveMaximum": 1000},
            "ratio": {"type": ["number", "null"], "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        },
        "required": ["note", "count", "ratio"],
    },
    "shape-oneof": {
        "oneOf": [
            {"type": "object", "properties": {"circle": {"type": "number", "minimum": 0, "maximum": 10}}, "required": ["circle"], "additionalProperties": False},
            {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 9}, "minItems": 2, "maxItems": 2},
            {"type": "string", "enum": ["none"]},
        ]
    },
    "tree-ref": {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "label": {"type": "string", "maxLength": 4},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}, "maxItems": 1},
                },
                "required": ["label"],
                "additionalProperties": False,
            }
        },
        "$ref": "#/$defs/node",
    },
    "inventory": {
        "type": "object",
        "properties": {
            "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
            "stock": {"type": "integer", "minimum": -5, "maximum": 5000},
            "price": {"type": "number", "minimum": 0, "maximum": 999},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 5}, "maxItems": 3},
        },
        "required": ["sku", "stock", "price"],
        "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 9},
    },
    "anyof-number-or-date": {"anyOf": [{"type": "integer", "minimum": 1900, "maximum": 2100}, {"type": "string", "format": "date"}]},
    "matrix": {
        "type": "array",
        "items": {"type": "array", "items": {"type": "integer", "minimum": -9, "maximum": 9}, "minItems": 2, "maxItems": 2},
        "minItems": 2,
        "maxItems": 2,
    },
}

SCALARS = [
    lambda r: {"type": "string", "maxLength": r.randint(0, 6)},
    lambda r: {"type": "string", "minLength": 1, "maxLength": r.randint(1, 5)},
    lambda r: {"type": "string", "format": r.choice(["date", "time", "date-time", "uuid"])},
    lambda r: {"type": "string", "pattern": r.choice(["^[a-f0-9]{4}$", "^(yes|no)$", "^\\w{2,4}-\\d$", "[A-Z][a-z]{1,3}"])},
    lambda r: {"type": "integer"},
    lambda r: {"type": "integer", "minimum": r.randint(-50, 0), "maximum": r.randint(1, 5000)},
    lambda r: {"type": "integer", "exclusiveMinimum": r.randint(-3, 3), "exclusiveMaximum": r.randint(10, 99)},
    lambda r: {"type": "number"},
    lambda r: {"type": "number", "minimum": r.randint(-10, 0), "exclusiveMaximum": r.randint(1, 100)},
    lambda r: {"type": "boolean"},
    lambda r: {"type": "null"},
    lambda r: {"enum": r.sample(["a", "b", 1, 2.5, None, False, [1], {"k": "v"}], 3)},
    lambda r: {"const": r.choice(["x", 7, None, [1, 2], {"a": True}])},
    lambda r: {"type": [r.choice(["string", "integer", "boolean"]), "null"], "maxLength": 3},
]


def scalar(r):
    return r.choice(SCALARS)(r)


def schema(r, depth):
    kind = r.choice(["scalar", "object", "array", "tuple", "anyOf", "oneOf"] if depth < 2 else ["scalar"])
    if kind == "scalar":
        return scalar(r)
    if kind == "object":
        n = r.randint(1, 4)
        props = {f"p{i}": schema(r, depth + 1) for i in range(n)}
        required = sorted(r.sample(list(props), r.randint(0, n)))
        extra = r.choice([False, None, {"type": "integer", "minimum": 0, "maximum": 9}])
        s = {"type": "object", "properties": props, "required": required}
        if extra is not None:
            s["additionalProperties"] = extra
        return s
    if kind == "array":
        low = r.randint(0, 2)
        return {"type": "array", "items": schema(r, depth + 1), "minItems": low, "maxItems": low + r.randint(0, 2)}
    if kind == "tuple":
        n = r.randint(1, 3)
        s = {"type": "array", "prefixItems": [schema(r, depth + 1) for _ in range(n)], "minItems": r.randint(0, n)}
        s["items"] = r.choice([False, {"type": "boolean"}])
        if s["items"] is not False:
            s["maxItems"] = n + 1
        return s
    if kind == "anyOf":
        return {"anyOf": [schema(r, depth + 1) for _ in range(r.randint(2, 3))]}
    # oneOf: one alternative per distinct type, so that exactly one matches.
    types = r.sample(["string", "integer", "boolean", "null", "array"], r.randint(2, 3))
    options = []
    for t in types:
        if t == "string":
            options.append({"type": "string", "maxLength": 4})
        elif t == "integer":
            options.append({"type": "integer", "minimum": 0, "maximum": 99})
        elif t == "array":
            options.append({"type": "array", "items": {"type": "null"}, "maxItems": 2})
        else:
            options.append({"type": t})
    return {"oneOf": options}


def generated(r, count):
    out = {}
    for i in range(count):
        s = schema(r, 0)
        if i % 5 == 0:
            # $defs and $ref in generated schemas too.
            s = {"$defs": {"item": s}, "type": "object", "properties": {"first": {"$ref": "#/$defs/item"}}, "required": ["first"]}
        out[f"generated-{i:02d}"] = s
    return out


def main():
    schemas = dict(HAND_WRITTEN)
    schemas.update(generated(random.Random(2026), 22))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(schemas, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(schemas)} schemas to {OUT.relative_to(ROOT)}")
    person = OUT.parent / "person.json"
    person.write_text(json.dumps(schemas["person"], ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {person.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
