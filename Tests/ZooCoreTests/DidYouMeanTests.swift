import XCTest
import ZooCore

/// The one did-you-mean hint every unknown-name error ends with (issue #21: there were nine copies).
final class DidYouMeanTests: XCTestCase {
    func testHintNamesTheClosestCandidateOrNothing() {
        XCTAssertEqual(didYouMean("top_pp", in: ["top_k", "top_p"]), " (did you mean \"top_p\"?)")
        XCTAssertEqual(didYouMean("--max-token", in: ["--max-tokens"], quote: "'"), " (did you mean '--max-tokens'?)")
        XCTAssertEqual(didYouMean("zzzzzz", in: ["top_k", "top_p"]), "")
        XCTAssertEqual(didYouMean(suggestion: nil), "")
        XCTAssertEqual(didYouMean(suggestion: "model.gguf"), " (did you mean \"model.gguf\"?)")
    }

    func testUnknownNameMessageListsTheKnownNames() {
        XCTAssertEqual(unknownNameMessage("qwen", what: "chat format", known: ["v1", "qwen25"]),
                       "unknown chat format \"qwen\" (did you mean \"qwen25\"?); known: v1, qwen25")
    }

    func testChoiceReadsAnEnumOrAListByName() throws {
        enum Mode: String, CaseIterable { case fast, careful }
        let options = ComponentOptions(["mode": .string("careful"), "rule": .string("bb"), "bad": .string("fats")])
        XCTAssertEqual(try options.choice("mode", what: "mode") as Mode?, .careful)
        XCTAssertNil(try options.choice("absent", what: "mode") as Mode?)
        XCTAssertEqual(try options.choice("rule", what: "rule", among: ["aa", "bb"], name: { $0 }), "bb")
        XCTAssertThrowsError(try options.choice("bad", what: "mode") as Mode?) { error in
            XCTAssertTrue("\(error)".contains("unknown mode \"fats\" (did you mean \"fast\"?); known: fast, careful"), "\(error)")
        }
    }
}
