import XCTest
import ZooCore

final class ToolSchemaTests: XCTestCase {
    let weather = ToolDefinition(
        name: "get_weather", description: "Weather of a city",
        parameters: [
            "type": "object",
            "properties": [
                "city": ["type": "string", "minLength": 1],
                "unit": ["type": "string", "enum": ["celsius", "fahrenheit"]],
                "days": ["type": "integer", "minimum": 1, "maximum": 7],
                "hourly": ["type": "boolean"],
                "tags": ["type": "array", "items": ["type": "string"], "maxItems": 2],
            ],
            "required": ["city"],
            "additionalProperties": false,
        ])

    func testValidatorNamesEachProblem() {
        let ok: JSONValue = ["city": "Paris", "unit": "celsius", "days": 3, "hourly": false, "tags": ["a"]]
        XCTAssertEqual(ToolArgumentValidator.problems(ok, schema: weather.parameters), [])
        XCTAssertEqual(ToolArgumentValidator.problems(["city": "Paris", "days": 2.0], schema: weather.parameters), [])
        let bad: JSONValue = ["unit": "kelvin", "days": 9, "hourly": "yes", "tags": ["a", "b", 3], "extra": 1]
        XCTAssertEqual(ToolArgumentValidator.problems(bad, schema: weather.parameters), [
            "$: missing required property \"city\"",
            "$.unit: \"kelvin\" is not one of [\"celsius\", \"fahrenheit\"]",
            "$.days: 9 is above the maximum 7.0",
            "$.hourly: expected boolean, found string",
            "$.tags[2]: expected string, found integer",
            "$.tags: more than 2 items",
            "$: unexpected property \"extra\"",
        ])
        XCTAssertEqual(ToolArgumentValidator.problems("x", schema: weather.parameters), ["$: expected object, found string"])
    }

    func testCallSchemaForRequiredAndNamedChoices() throws {
        let calc = ToolDefinition(name: "calc", parameters: ["type": "object", "properties": ["e": ["type": "string"]]])
        XCTAssertNil(try ToolCallSchema.schema(for: [weather, calc], choice: .auto))
        XCTAssertNil(try ToolCallSchema.schema(for: [weather, calc], choice: .none))
        let named = try XCTUnwrap(ToolCallSchema.schema(for: [weather, calc], choice: .function("calc")))
        XCTAssertEqual(named, [
            "type": "object",
            "properties": ["name": ["const": "calc"], "arguments": calc.parameters],
            "required": ["name", "arguments"], "additionalProperties": false,
        ])
        XCTAssertEqual(named.objectValue?["properties"]?.objectValue?.keys, ["name", "arguments"])
        let required = try XCTUnwrap(ToolCallSchema.schema(for: [weather, calc], choice: .required))
        XCTAssertEqual(required["anyOf"]?.arrayValue?.count, 2)
        // A valid call validates against it; a call of another tool or with bad arguments does not.
        let good: JSONValue = ["name": "get_weather", "arguments": ["city": "Oslo"]]
        XCTAssertEqual(ToolArgumentValidator.problems(good, schema: required), [])
        XCTAssertFalse(ToolArgumentValidator.problems(["name": "nope", "arguments": [:]], schema: required).isEmpty)
        XCTAssertFalse(ToolArgumentValidator.problems(["name": "get_weather", "arguments": [:]], schema: required).isEmpty)
        XCTAssertThrowsError(try ToolCallSchema.schema(for: [weather, calc], choice: .function("calk"))) { error in
            XCTAssertTrue("\(error)".contains("did you mean \"calc\""), "\(error)")
        }
        XCTAssertThrowsError(try ToolCallSchema.schema(for: [], choice: .required))
    }

    func testToolListErrorsNameTheEntry() throws {
        let tools = try ToolDefinition.list(parsing: #"[{"type": "function", "function": {"name": "a", "parameters": {"type": "object"}}}, {"name": "b"}]"#)
        XCTAssertEqual(tools.map(\.name), ["a", "b"])
        let cases = [
            (#"{"name": "a"}"#, "expected a JSON array"),
            (#"[{"function": {"parameters": {}}}]"#, "tools[0].function.name"),
            (#"[{"name": "a"}, {"name": "a"}]"#, "tools[1].name: a second tool named \"a\""),
            (#"[{"name": "a", "parameters": 3}]"#, "tools[0].parameters"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try ToolDefinition.list(parsing: text)) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
        }
    }
}
