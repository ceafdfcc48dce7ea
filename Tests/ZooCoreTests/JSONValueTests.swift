import XCTest
import ZooCore

final class JSONValueTests: XCTestCase {
    /// Python 3.11: `json.dumps(x)` for each double (repr's shortest digits and its exponent thresholds).
    func testNumbersAreWrittenAsPythonWritesThem() throws {
        let cases: [(Double, String)] = [
            (0.1, "0.1"), (1.0, "1.0"), (1e16, "1e+16"), (1e15, "1000000000000000.0"), (123456789.123, "123456789.123"),
            (1e-05, "1e-05"), (0.0001, "0.0001"), (1e-7, "1e-07"), (-2.5e-10, "-2.5e-10"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (Double.leastNonzeroMagnitude, "5e-324"), (100.0, "100.0"),
            (1234567890123456.0, "1234567890123456.0"), (12345678901234567.0, "1.2345678901234568e+16"), (0.5, "0.5"),
            (-0.0, "-0.0"), (3.141592653589793, "3.141592653589793"), (1152921504606846976.0, "1.152921504606847e+18"),
        ]
        for (value, python) in cases {
            XCTAssertEqual(JSONWriter.python(.number(value)), python, "\(value)")
        }
    }

    func testRoundTripKeepsKeyOrderIntegersAndEscapes() throws {
        let text = #"{"b": 1, "a": [1.0, -0, 2e3, true, null], "s": "é \"q\"\n\t\\ \u0001 \ud83d\ude00", "z": {}}"#
        let value = try JSONValue(parsing: text)
        XCTAssertEqual(value.objectValue?.keys, ["b", "a", "s", "z"])
        // json.dumps(json.loads(text), ensure_ascii=False)
        XCTAssertEqual(JSONWriter.python(value), #"{"b": 1, "a": [1.0, 0, 2000.0, true, null], "s": "é \"q\"\n\t\\ \u0001 😀", "z": {}}"#)
        XCTAssertEqual(JSONWriter.compact(value), #"{"b":1,"a":[1.0,0,2000.0,true,null],"s":"é \"q\"\n\t\\ \u0001 😀","z":{}}"#)
        // Objects compare as JSON does: member order does not matter.
        XCTAssertEqual(try JSONValue(parsing: #"{"x": 1, "y": 2}"#), try JSONValue(parsing: #"{"y": 2, "x": 1}"#))
    }

    func testSyntaxErrorsSayWhere() {
        let cases: [(String, Int, Int, String)] = [
            ("{\"a\": 1,\n  \"b\" 2}", 2, 7, "expected \":\""),
            ("[1, 2", 1, 6, "unterminated array"),
            ("{\"a\": tru}", 1, 7, "expected \"true\""),
            ("\"abc", 1, 5, "unterminated string"),
            ("{} x", 1, 4, "unexpected text after"),
            ("01", 1, 2, "unexpected text after"),
        ]
        for (text, line, column, message) in cases {
            XCTAssertThrowsError(try JSONValue(parsing: text), text) { error in
                guard let e = error as? JSONSyntaxError else { return XCTFail("\(error)") }
                XCTAssertEqual([e.line, e.column], [line, column], "\(text): \(e)")
                XCTAssertTrue(e.message.contains(message), "\(text): \(e)")
            }
        }
        // Deep nesting is an error, not a stack overflow.
        XCTAssertThrowsError(try JSONValue(parsing: String(repeating: "[", count: 100_000)))
    }

    /// Objects and arrays read their members one way; each error names its bracket (the wording
    /// predates the shared reader, #21).
    func testMemberListErrorsNameTheirBracket() {
        let cases = [
            ("{\"a\": 1", "unterminated object: expected \",\" or \"}\" (the text ends here)"),
            ("{\"a\": 1 ]", "expected \",\" or \"}\" in the object"),
            ("{1: 2}", "expected a string key in the object"),
            ("[1, 2", "unterminated array: expected \",\" or \"]\" (the text ends here)"),
            ("[1 }", "expected \",\" or \"]\" in the array"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try JSONValue(parsing: text), text) { error in
                XCTAssertEqual((error as? JSONSyntaxError)?.message, message, text)
            }
        }
        XCTAssertEqual(try JSONValue(parsing: "[ ]"), .array([]))
        XCTAssertEqual(try JSONValue(parsing: "{ \"a\" : [ 1 , { } ] }").objectValue?.keys, ["a"])
    }

    func testCodableKeepsOrder() throws {
        let call = ToolCall(id: "c1", name: "f", arguments: ["z": 1, "a": 2.5])
        let message = ChatMessage(.assistant, "", toolCalls: [call])
        let decoded = try JSONDecoder().decode(ChatMessage.self, from: JSONEncoder().encode(message))
        XCTAssertEqual(decoded, message)
        XCTAssertEqual(decoded.toolCalls[0].arguments.objectValue?.keys, ["z", "a"])
        // Messages saved before tool calls existed still load.
        let old = try JSONDecoder().decode(ChatMessage.self, from: Data(#"{"role":"user","content":"hi"}"#.utf8))
        XCTAssertEqual(old, ChatMessage(.user, "hi"))
    }
}
