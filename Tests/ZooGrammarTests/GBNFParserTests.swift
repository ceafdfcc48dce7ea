import XCTest
@testable import ZooGrammar

final class GBNFParserTests: XCTestCase {
    func testRulesAlternativesGroupsAndRepetition() throws {
        let g = try Grammar(gbnf: """
            # a list of moves
            root ::= "1. " move (" " move)* "\\n"
            move ::= (pawn | castle) [+#]?
            pawn ::= [a-h] [1-8]
            castle ::= "O-O" ("-O")?
            """)
        try assertMatches(g, ["1. e4\n", "1. e4 O-O-O+ a1#\n"], ["1. e9\n", "1. e4", "1.  e4\n"])
        XCTAssertEqual(try g.match(Array("1. e4".utf8)), .prefix)
        XCTAssertEqual(try g.match(Array("1. e9".utf8)), .rejected(at: 4))
    }

    func testBoundedRepetitionForms() throws {
        let g = try Grammar(gbnf: #"root ::= "a"{2} "b"{1,} "c"{0,2} "d"{,1} "e"{2,3}"#)
        try assertMatches(g, ["aabee", "aabbbccdeee", "aabcdee"], ["abee", "aabccc" + "ee", "aabeeee", "aabdd" + "ee"])
    }

    func testCharacterClassesRangesNegationEscapesAndUnicode() throws {
        let g = try Grammar(gbnf: #"""
            root ::= [^"\\\n]+ "|" [ぁ-ゟ] "|" [\x41-\x43] "|" "\u00e9\U0001F600" "|" . "|" [\]\[-]
            """#)
        try assertMatches(g, ["abc|ぁ|B|é😀|x|]", "é|ゟ|C|é😀|\n|-"], ["a\"b|ぁ|B|é😀|x|]", "abc|a|B|é😀|x|]", "abc|ぁ|D|é😀|x|]"])
    }

    func testNewlinesContinueInsideGroupsAndAfterBar() throws {
        let g = try Grammar(gbnf: """
            root ::=
              "{" (
                 "a"
                 | "b"
              ) "}" |
              "x"
            """)
        try assertMatches(g, ["{a}", "{b}", "x"], ["{c}", "a"])
    }

    func testLlamaCppJSONGrammar() throws {
        // The structure of llama.cpp's grammars/json.gbnf (written here from its description).
        let g = try Grammar(gbnf: #"""
            root   ::= object
            value  ::= object | array | string | number | ("true" | "false" | "null") ws
            object ::=
              "{" ws (
                        string ":" ws value
                ("," ws string ":" ws value)*
              )? "}" ws
            array  ::=
              "[" ws (
                        value
                ("," ws value)*
              )? "]" ws
            string ::=
              "\"" (
                [^"\\\x7F\x00-\x1F] |
                "\\" (["\\bfnrt] | "u" [0-9a-fA-F]{4})
              )* "\"" ws
            number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws
            ws ::= | " " | "\n" [ \t]{0,20}
            """#)
        try assertMatches(g, [#"{"a": [1, 2.5, "x\n", true, null], "b": {}}"#, "{}"], [#"{"a": }"#, "[1]", #"{"a" 1}"#])
    }

    func testErrorsNameLineColumnAndReason() {
        assertError(try Grammar(gbnf: "root ::= \"abc"), location: "1:10", contains: "unterminated string")
        assertError(try Grammar(gbnf: "root ::= foo"), location: "1:10", contains: "rule \"foo\" is not defined")
        assertError(try Grammar(gbnf: "rot ::= \"a\""), location: "", contains: "no \"root\" rule")
        assertError(try Grammar(gbnf: "root ::= [z-a]"), location: "1:11", contains: "reversed")
        assertError(try Grammar(gbnf: "root ::= \"a\"\nroot ::= \"b\""), location: "2:1", contains: "defined twice")
        assertError(try Grammar(gbnf: "root ::= (\"a\" | \"b\""), location: "1:20", contains: "expected \")\"")
        assertError(try Grammar(gbnf: "root = \"a\""), location: "1:6", contains: "expected \"::=\"")
        assertError(try Grammar(gbnf: "root ::= \"\\q\""), location: "1:11", contains: "unknown escape")
        assertError(try Grammar(gbnf: "root ::= \"a\"{3,1}"), location: "1:13", contains: "maximum below its minimum")
        assertError(try Grammar(gbnf: "my_rule ::= \"a\""), location: "1:3", contains: "\"_\" is not allowed")
        assertError(try Grammar(gbnf: "root ::= \"a\" )"), location: "1:14", contains: "unmatched")
        assertError(try Grammar(gbnf: "root ::= <|im_end|>"), location: "1:10", contains: "token references")
        assertError(try Grammar(gbnf: "root ::= " + String(repeating: "\"a\"{10000} ", count: 101)), location: "", contains: "more than 1000000 elements")
        // Nested counts multiply only through helper rules, so they stay small.
        XCTAssertNoThrow(try Grammar(gbnf: "root ::= (\"ab\"{10000}){10000}"))
    }

    func testLeftRecursionIsAnErrorButTailRecursionRuns() throws {
        assertError(try Grammar(gbnf: "root ::= expr\nexpr ::= expr \"+\" term | term\nterm ::= [0-9]"),
                    location: "rule expr", contains: "left recursion")
        assertError(try Grammar(gbnf: "root ::= a \"x\"\na ::= b\nb ::= \"\"? root"), location: "rule root", contains: "left recursion")
        // A nullable item repeated: tail recursion through a nullable prefix terminates.
        let g = try Grammar(gbnf: #"root ::= ("a"?)* "b""#)
        try assertMatches(g, ["b", "aab"], ["a"])
    }
}
