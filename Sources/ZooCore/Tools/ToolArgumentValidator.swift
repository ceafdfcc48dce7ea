/// Checks a tool call's arguments against the tool's `parameters` JSON Schema.
///
/// What is validated (a subset of JSON Schema 2020-12, enough for function signatures): `type` (a name or a list;
/// `integer` accepts `1.0` as JSON Schema does), `enum`, `const`, and for objects `properties`, `required` and
/// `additionalProperties: false`/a schema, for arrays `items`, `minItems` and `maxItems`, for strings `minLength`
/// and `maxLength`, for numbers `minimum`, `maximum`, `exclusiveMinimum` and `exclusiveMaximum`, and `anyOf`/`oneOf`
/// (at least one branch matches) and `allOf`. Other keywords (`pattern`, `format`, `$ref`, …) are not checked here;
/// a grammar-constrained call (``ToolChoice/required``) is held to the whole schema by the constraint.
public enum ToolArgumentValidator {
    /// The problems of `value` under `schema`, each naming the JSON path (`$.unit`); empty when it conforms.
    public static func problems(_ value: JSONValue, schema: JSONValue, path: String = "$") -> [String] {
        guard case .object(let s) = schema else {
            if case .bool(false) = schema { return ["\(path): no value is allowed here"] }
            return []
        }
        var out: [String] = []
        if let type = s["type"] {
            let names: [String] = type.arrayValue?.compactMap(\.stringValue) ?? type.stringValue.map { [$0] } ?? []
            if !names.isEmpty, !names.contains(where: { matches(value, type: $0) }) {
                out.append("\(path): expected \(names.joined(separator: " or ")), found \(value.typeName)")
                return out
            }
        }
        if let options = s["enum"]?.arrayValue, !options.contains(where: { equal($0, value) }) {
            out.append("\(path): \(value) is not one of \(JSONValue.array(options))")
        }
        if let constant = s["const"], !equal(constant, value) {
            out.append("\(path): expected \(constant), found \(value)")
        }
        switch value {
        case .object(let object):
            let properties = s["properties"]?.objectValue ?? JSONObject()
            for required in s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[required] == nil {
                out.append("\(path): missing required property \"\(required)\"")
            }
            for (key, member) in object.members {
                if let sub = properties[key] {
                    out += problems(member, schema: sub, path: "\(path).\(key)")
                } else if let extra = s["additionalProperties"] {
                    if case .bool(false) = extra {
                        out.append("\(path): unexpected property \"\(key)\"")
                    } else {
                        out += problems(member, schema: extra, path: "\(path).\(key)")
                    }
                }
            }
        case .array(let items):
            if let itemSchema = s["items"] {
                for (k, item) in items.enumerated() { out += problems(item, schema: itemSchema, path: "\(path)[\(k)]") }
            }
            if let min = s["minItems"]?.doubleValue, Double(items.count) < min { out.append("\(path): fewer than \(Int(min)) items") }
            if let max = s["maxItems"]?.doubleValue, Double(items.count) > max { out.append("\(path): more than \(Int(max)) items") }
        case .string(let text):
            let length = Double(text.unicodeScalars.count)
            if let min = s["minLength"]?.doubleValue, length < min { out.append("\(path): shorter than \(Int(min)) characters") }
            if let max = s["maxLength"]?.doubleValue, length > max { out.append("\(path): longer than \(Int(max)) characters") }
        case .integer, .number:
            let x = value.doubleValue!
            if let b = s["minimum"]?.doubleValue, x < b { out.append("\(path): \(value) is below the minimum \(b)") }
            if let b = s["maximum"]?.doubleValue, x > b { out.append("\(path): \(value) is above the maximum \(b)") }
            if let b = s["exclusiveMinimum"]?.doubleValue, x <= b { out.append("\(path): \(value) is not above \(b)") }
            if let b = s["exclusiveMaximum"]?.doubleValue, x >= b { out.append("\(path): \(value) is not below \(b)") }
        default: break
        }
        for key in ["anyOf", "oneOf"] {
            if let branches = s[key]?.arrayValue, !branches.isEmpty,
               !branches.contains(where: { problems(value, schema: $0, path: path).isEmpty }) {
                out.append("\(path): matches none of the \(key) schemas")
            }
        }
        for branch in s["allOf"]?.arrayValue ?? [] { out += problems(value, schema: branch, path: path) }
        return out
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
        case ("number", .integer), ("number", .number), ("integer", .integer): true
        case ("integer", .number(let d)): d.rounded() == d && d.isFinite
        default: false
        }
    }

    /// JSON equality, with `1` equal to `1.0` as JSON Schema's `enum`/`const` compare numbers.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        return a == b
    }
}

extension ToolCallReading {
    /// Adds a warning for each call of a tool not in `tools` and each argument that does not match its tool's
    /// `parameters` schema (see ``ToolArgumentValidator``). The calls are kept: the caller decides.
    public func validated(against tools: [ToolDefinition]) -> ToolCallReading {
        var out = self
        for (index, call) in calls.enumerated() {
            let label = "tool call \(index + 1) (\(call.name))"
            guard let tool = tools.first(where: { $0.name == call.name }) else {
                out.warnings.append("\(label): no tool has this name; tools: \(tools.map(\.name).joined(separator: ", "))")
                continue
            }
            for problem in ToolArgumentValidator.problems(call.arguments, schema: tool.parameters) {
                out.warnings.append("\(label): arguments \(problem)")
            }
        }
        return out
    }
}
