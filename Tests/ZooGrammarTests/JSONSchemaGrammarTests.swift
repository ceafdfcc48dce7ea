import XCTest
@testable import ZooGrammar

final class JSONSchemaGrammarTests: XCTestCase {
    private func schema(_ json: String) throws -> Grammar { try JSONSchemaGrammar.grammar(jsonText: json) }

    func testObjectsWithRequiredOptionalAndAdditionalProperties() throws {
        let g = try schema(#"{"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}, "c": {"type": "boolean"}}, "required": ["b"]}"#)
        try assertMatches(g, [#"{"b":"x"}"#, #"{"a":1,"b":"x"}"#, #"{"a": 1, "b": "x", "c": true}"#, #"{"b":"","c":false}"#],
                          [#"{}"#, #"{"a":1}"#, #"{"b":"x","a":1}"#, #"{"b":"x","d":1}"#, #"{"a":1.5,"b":"x"}"#])
        let open = try schema(#"{"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": {"type": "null"}}"#)
        try assertMatches(open, [#"{"a":1,"x":null}"#, #"{"ab":null}"#, #"{}"#], [#"{"a":null}"#, #"{"x":1}"#])
    }

    func testArraysItemsPrefixItemsAndCounts() throws {
        let g = try schema(#"{"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 9}, "minItems": 2, "maxItems": 3}"#)
        try assertMatches(g, ["[1,2]", "[1, 2, 3]"], ["[1]", "[1,2,3,4]", "[1,10]", "[]"])
        let tuple = try schema(#"{"type": "array", "prefixItems": [{"type": "string"}, {"type": "null"}], "items": false, "minItems": 1}"#)
        try assertMatches(tuple, [#"["a"]"#, #"["a",null]"#], ["[]", #"["a",null,1]"#, "[null]"])
    }

    func testIntegerAndNumberBounds() throws {
        let g = try schema(#"{"type": "integer", "minimum": -15, "exclusiveMaximum": 120}"#)
        try assertMatches(g, ["-15", "-1", "0", "7", "99", "119"], ["-16", "120", "007", "-0" + "1", "1.0"])
        let n = try schema(#"{"type": "number", "minimum": -2, "maximum": 3}"#)
        try assertMatches(n, ["-2", "-1.5", "0", "2.75", "3"], ["-2.5", "3.1", "4"])
        let e = try schema(#"{"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}"#)
        try assertMatches(e, ["0.5", "0.001"], ["0", "1", "1.5"])
    }

    func testStringsLengthsPatternsAndFormats() throws {
        try assertMatches(try schema(#"{"type": "string", "minLength": 2, "maxLength": 3}"#), [#""ab""#, #""日本語""#, #""a\n""#], [#""a""#, #""abcd""#])
        try assertMatches(try schema(#"{"type": "string", "pattern": "^[A-Z]{2}-\\d{3}$"}"#), [#""AB-123""#], [#""A-123""#, #""AB-12""#])
        try assertMatches(try schema(#"{"type": "string", "pattern": "a\"b"}"#), [#""a\"b""#], [#""a"b""#])
        try assertMatches(try schema(#"{"format": "date", "type": "string"}"#), [#""2024-02-28""#, #""1999-12-31""#], [#""2024-02-30""#, #""2024-13-01""#])
        try assertMatches(try schema(#"{"type": "string", "format": "date-time"}"#), [#""2024-01-05T23:59:59Z""#, #""2024-01-05T00:00:00.5+05:30""#], [#""2024-01-05T24:00:00Z""#])
        try assertMatches(try schema(#"{"type": "string", "format": "time"}"#), [#""12:30:00Z""#], [#""12:30""#])
        try assertMatches(try schema(#"{"type": "string", "format": "uuid"}"#), [#""123e4567-e89b-12d3-a456-426614174000""#], [#""123e4567e89b12d3a456426614174000""#])
    }

    func testEnumConstAnyOfRefsAndNullableTypeLists() throws {
        let g = try schema(#"""
            {"$defs": {"pos": {"type": "integer", "minimum": 1}},
             "type": "object", "properties": {
                "kind": {"enum": ["a", 1, null, {"x": [true]}]},
                "v": {"const": "fixed"},
                "n": {"type": ["string", "null"], "maxLength": 1},
                "u": {"anyOf": [{"$ref": "#/$defs/pos"}, {"type": "boolean"}]}},
             "required": ["kind", "v", "n", "u"], "additionalProperties": false}
            """#)
        try assertMatches(g, [#"{"kind":"a","v":"fixed","n":null,"u":3}"#, #"{"kind":{"x":[true]},"v":"fixed","n":"z","u":false}"#],
                          [#"{"kind":"b","v":"fixed","n":null,"u":3}"#, #"{"kind":1,"v":"other","n":null,"u":3}"#, #"{"kind":1,"v":"fixed","n":null,"u":0}"#])
        let tree = try schema(##"{"$defs": {"node": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}}, "$ref": "#/$defs/node"}"##)
        try assertMatches(tree, [#"{"kids":[{"kids":[]},{}]}"#], [#"{"kids":[1]}"#])
    }

    func testUnsupportedKeywordsAndBadSchemasNameTheirPath() {
        assertError(try schema(#"{"type": "object", "properties": {"a": {"type": "string", "minProperties": 1}}}"#),
                    location: "$.properties.a.minProperties", contains: "unsupported keyword \"minProperties\"")
        assertError(try schema(#"{"type": "array", "items": {"type": "number", "multipleOf": 2}}"#), location: "$.items.multipleOf", contains: "unsupported keyword")
        assertError(try schema(#"{"type": "string", "format": "email"}"#), location: "$.format", contains: "unsupported format")
        assertError(try schema(#"{"type": "strin"}"#), location: "$.type", contains: "unknown type")
        assertError(try schema(##"{"$ref": "#/$defs/missing"}"##), location: "$.$ref", contains: "does not resolve")
        assertError(try schema(#"{"type": "string", "pattern": "a(?=b)"}"#), location: "column 2", contains: "look-around")
        assertError(try schema(#"{"type": "object",}"#), location: "1:19", contains: "string key")
        assertError(try schema(#"{"type": "integer", "minimum": 5, "maximum": 1}"#), location: "$", contains: "no integer")
    }

    func testAnyJSONValue() throws {
        let g = try JSONGrammar.grammar()
        try assertMatches(g, [#"{"a": [1, -2.5e+3, "\u00e9\n"], "b": {}}"#, "null", "[]", #""x""#],
                          [#"{"a" 1}"#, "[1,]", "01", #""\ud800""#, " 1"])
    }

    func testRegexSubset() throws {
        try assertMatches(try RegexGrammar.grammar(#"(\d{3})-[a-f]+|x?y*"#), ["123-abc", "", "xyy", "y"], ["12-a", "xx"])
        try assertMatches(try RegexGrammar.grammar(#"[^a-z\s]{2}\.(?:com|org)$"#), ["AB.com", "1_.org"], ["ab.com", "A .com", "AB.net"])
        assertError(try RegexGrammar.grammar("a(b"), location: "column 4", contains: "missing \")\"")
        assertError(try RegexGrammar.grammar(#"(a)\1"#), location: "column 4", contains: "back-references")
        assertError(try RegexGrammar.grammar("a**"), location: "column 3", contains: "multiple repeat")
        assertError(try RegexGrammar.grammar("a^b"), location: "column 2", contains: "anchors")
    }
}
