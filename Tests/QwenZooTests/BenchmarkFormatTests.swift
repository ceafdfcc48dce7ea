import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// The published formats, each from a few lines written by hand to the dataset's schema: detection, gold
/// answers, subjects, and errors that name the file and line.
final class BenchmarkFormatTests: XCTestCase {
    private func write(_ name: String, _ text: String) throws -> URL {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    private func read(_ url: URL, _ expected: BenchmarkFormat) throws -> [BenchmarkItem] {
        XCTAssertEqual(try BenchmarkFormat.detect(url), expected)
        return try expected.read(url)
    }

    private func gold(_ item: BenchmarkItem) -> String? {
        if case .problem(_, _, let gold) = item.content { return gold }
        return nil
    }

    private func row(_ item: BenchmarkItem) -> ChoiceRow? {
        if case .choice(let row) = item.content { return row }
        return nil
    }

    func testGSM8KGoldIsTheNumberAfterHashes() throws {
        let url = try write("test.jsonl", #"""
            {"question": "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?", "answer": "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72"}
            {"question": "A company pays $1,000 a week. How much in 3 weeks?", "answer": "3 * 1,000 = <<3*1000=3000>>3,000\n#### 3,000"}
            {"question": "The temperature fell 5 degrees from 0. What is it now?", "answer": "0 - 5 = <<0-5=-5>>-5\n#### -5"}
            """#)
        let items = try read(url, .gsm8k)
        XCTAssertEqual(items.map(gold), ["72", "3000", "-5"])
        guard case .problem(let question, let solution, _) = items[0].content else { return XCTFail() }
        XCTAssertTrue(question.hasPrefix("Natalia sold clips"))
        XCTAssertTrue(solution.contains("<<48/2=24>>"), "the worked solution is kept for the protocols that read it")
    }

    func testMATHGoldIsTheLastBoxedExpression() throws {
        let url = try write("test.jsonl", #"""
            {"problem": "If $x + 2 = 5$, what is $x$?", "level": "Level 1", "type": "Algebra", "solution": "Subtracting 2 gives $x = \\boxed{3}$."}
            {"problem": "Simplify $\\frac{2}{4}$.", "level": "Level 2", "type": "Prealgebra", "solution": "First $\\boxed{2/4}$ is not simplest; the answer is $\\boxed{\\frac{1}{2}}$."}
            {"problem": "Find the set.", "level": "Level 5", "type": "Algebra", "solution": "It is $\\boxed{\\{1, 2\\}}$"}
            """#)
        let items = try read(url, .math)
        XCTAssertEqual(items.map(gold), ["3", "\\frac{1}{2}", "\\{1, 2\\}"])
        XCTAssertEqual(items.map(\.level), ["Level 1", "Level 2", "Level 5"])
        XCTAssertEqual(items.map(\.subject), ["Algebra", "Prealgebra", "Algebra"])
    }

    func testHumanEvalAndMBPP() throws {
        let humaneval = try write("HumanEval.jsonl", #"""
            {"task_id": "HumanEval/0", "prompt": "from typing import List\n\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n    \"\"\" Check if in given list of numbers, are any two numbers closer to each other than\n    given threshold.\n    \"\"\"\n", "entry_point": "has_close_elements", "canonical_solution": "    return False\n", "test": "\n\nMETADATA = {}\n\n\ndef check(candidate):\n    assert candidate([1.0, 2.0], 0.5) == False\n"}
            """#)
        let h = try read(humaneval, .humaneval)
        XCTAssertEqual(h[0].id, "HumanEval/0")
        guard case .code(let prompt, let entry, let test) = h[0].content else { return XCTFail() }
        XCTAssertTrue(prompt.hasSuffix("    \"\"\"\n"))
        XCTAssertEqual(entry, "has_close_elements")
        XCTAssertTrue(test.contains("def check(candidate)"))

        let mbpp = try write("mbpp.jsonl", #"""
            {"text": "Write a function to find the shared elements from the given two lists.", "code": "def similar_elements(test_tup1, test_tup2):\r\n  res = tuple(set(test_tup1) & set(test_tup2))\r\n  return (res) ", "task_id": 2, "test_setup_code": "", "test_list": ["assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))", "assert set(similar_elements((1, 2, 3, 4),(5, 4, 3, 7))) == set((3, 4))"], "challenge_test_list": []}
            """#)
        let m = try read(mbpp, .mbpp)
        XCTAssertEqual(m[0].id, "MBPP/2")
        guard case .code(let mPrompt, nil, let mTest) = m[0].content else { return XCTFail("MBPP has no entry point") }
        XCTAssertTrue(mPrompt.contains("shared elements") && mPrompt.contains("assert set(similar_elements((3, 4"))
        XCTAssertTrue(mTest.contains("(1, 2, 3, 4)"))
    }

    func testMMLUJSONLAndOriginalCSV() throws {
        let jsonl = try write("test.jsonl", #"""
            {"question": "Find the degree for the given field extension Q(sqrt(2)) over Q.", "subject": "abstract_algebra", "choices": ["0", "2", "1", "3"], "answer": 1}
            """#)
        let j = try read(jsonl, .mmlu)
        XCTAssertEqual(row(j[0]), ChoiceRow(question: "Find the degree for the given field extension Q(sqrt(2)) over Q.", choices: ["0", "2", "1", "3"], answer: "B"))
        XCTAssertEqual(j[0].subject, "abstract_algebra")

        let csv = try write("abstract_algebra_test.csv", """
            Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.,0,1,2,3,B
            "Statement 1 | If aH is an element of a factor group, then |aH| divides |a|.
            Statement 2 | ""Quoted"", with a comma.",True True,False False,"True, False",False True,C

            """)
        let c = try read(csv, .mmluCSV)
        XCTAssertEqual(c.count, 2)
        XCTAssertEqual(c.map(\.subject), ["abstract_algebra", "abstract_algebra"])
        XCTAssertEqual(row(c[1])?.question, "Statement 1 | If aH is an element of a factor group, then |aH| divides |a|.\nStatement 2 | \"Quoted\", with a comma.")
        XCTAssertEqual(row(c[1])?.choices, ["True True", "False False", "True, False", "False True"])
        XCTAssertEqual(row(c[1])?.answer, "C")
    }

    func testCEvalAndCMMLU() throws {
        let ceval = try write("computer_network_val.csv", """
            id,question,A,B,C,D,answer,explanation
            0,使用位填充方法，以01111110为位首flag，数据为011011111111111111110010，求问传送时要添加几个0____,1,2,3,4,C,
            1,下列说法正确的是____。,"甲,乙",乙,丙,丁,A,1. 解释

            """)
        let e = try read(ceval, .ceval)
        XCTAssertEqual(e.map(\.id), ["computer_network/0", "computer_network/1"])
        XCTAssertEqual(e.map { row($0)?.answer }, ["C", "A"])
        XCTAssertEqual(row(e[1])?.choices, ["甲,乙", "乙", "丙", "丁"])
        XCTAssertEqual(e[0].subject, "computer_network")

        let cmmlu = try write("agronomy.csv", """
            ,Question,A,B,C,D,Answer
            0,在农业生产中被当作极其重要的劳动对象发挥作用，最主要的不可替代的基本生产资料是,农业生产工具,土地,劳动力,资金,B

            """)
        let m = try read(cmmlu, .cmmlu)
        XCTAssertEqual(row(m[0])?.answer, "B")
        XCTAssertEqual(m[0].subject, "agronomy")
    }

    func testMalformedLinesNameFileAndLine() throws {
        // (file name, content, format, the error after "path:")
        let cases: [(String, String, BenchmarkFormat, String)] = [
            ("gsm.jsonl", "{\"question\": \"q\", \"answer\": \"1 + 1 = 2\\n#### 2\"}\n{\"question\": \"q\", \"answer\": \"no final line\"}\n",
             .gsm8k, "2: field \"answer\" has no final \"#### N\""),
            ("mmlu.jsonl", "{\"question\": \"q\", \"subject\": \"s\", \"choices\": [\"a\", \"b\", \"c\", \"d\"], \"answer\": 4}\n",
             .mmlu, "1: field \"answer\" must be 0…3, found 4"),
            ("math.jsonl", "\n{\"problem\": \"p\", \"solution\": 3}\n", .math, "2: field \"solution\" must be a string"),
            ("x_test.csv", "q,a,b,c,d,A\nq,a,b,c,E\n", .mmluCSV, "2: expected 6 columns (question, A, B, C, D, answer), found 5"),
            ("y_test.csv", "q,a,b,c,d,A\n\"q,a,b,c,d,A\n", .mmluCSV, "2: a quoted field is never closed"),
            ("computer_network_test.csv", "id,question,A,B,C,D\n0,q,a,b,c,d\n", .ceval,
             "1: the header has no answer column (id, question, A, B, C, D, answer); C-Eval's test split keeps its answers secret, use val"),
        ]
        for (name, content, format, message) in cases {
            let url = try write(name, content)
            XCTAssertThrowsError(try format.read(url)) { XCTAssertEqual("\($0)", "\(url.path):\(message)") }
        }
        let unknown = try write("z.jsonl", "{\"prompt\": \"p\"}\n")
        XCTAssertThrowsError(try BenchmarkFormat.detect(unknown)) { XCTAssertTrue("\($0)".contains("\(unknown.path):1: cannot tell the format")) }
    }
}
