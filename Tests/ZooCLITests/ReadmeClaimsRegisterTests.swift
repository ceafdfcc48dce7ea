import Foundation
import XCTest
import ZooTestSupport

/// `Tests/README-claims.md` maps each claim of the README to what proves it. This keeps the register
/// from rotting: every test it names exists, every file it names is there, every quoted source line is
/// still in its file, every row names some evidence, and every section of README.md has its part.
final class ReadmeClaimsRegisterTests: XCTestCase {
    /// One row of the register: the section it is under, the claim, and its evidence items.
    struct Row {
        let section: String
        let claim: String
        let evidence: [String]
    }

    static let root = Fixtures.repositoryRoot

    static func register() throws -> [Row] {
        let text = try String(contentsOf: root.appendingPathComponent("Tests/README-claims.md"), encoding: .utf8)
        var rows: [Row] = []
        var section = ""
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("## ") { section = String(line.dropFirst(3)); continue }
            guard line.hasPrefix("|"), !line.hasPrefix("|---"), !line.hasPrefix("| claim |") else { continue }
            // Cells are split at unescaped pipes; the evidence is the last cell.
            let cells = cells(of: line)
            guard cells.count >= 2 else { continue }
            rows.append(Row(section: section, claim: cells[0], evidence: backticked(cells[cells.count - 1])))
        }
        return rows
    }

    static func cells(of line: String) -> [String] {
        var cells: [String] = [], current = "", previous: Character = " "
        for character in line.dropFirst() {
            if character == "|" && previous != "\\" {
                cells.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
            previous = character
        }
        return cells
    }

    static func backticked(_ cell: String) -> [String] {
        cell.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
    }

    /// The Swift sources of every test target, read once.
    static let allSources: [String: [String]] = {
        let tests = root.appendingPathComponent("Tests")
        let targets = (try? FileManager.default.contentsOfDirectory(atPath: tests.path)) ?? []
        return Dictionary(uniqueKeysWithValues: targets.map { target in
            let files = FileManager.default.enumerator(at: tests.appendingPathComponent(target), includingPropertiesForKeys: nil)?
                .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
            return (target, files.compactMap { try? String(contentsOf: $0, encoding: .utf8) })
        })
    }()

    static func sources(of target: String) -> [String] { allSources[target] ?? [] }

    /// Whether `Target/Class/testMethod` is a test method of that class: the class is declared in a
    /// file of the target, and the method is declared after it and before the next class.
    static func testExists(target: String, className: String, method: String) -> Bool {
        for source in sources(of: target) {
            let declarations = ["class \(className): XCTestCase", "class \(className) : XCTestCase", "extension \(className) "]
            for declaration in declarations {
                var searchStart = source.startIndex
                while let found = source.range(of: declaration, range: searchStart..<source.endIndex) {
                    let rest = source[found.upperBound...]
                    let end = rest.range(of: "\nfinal class ")?.lowerBound ?? rest.range(of: "\nclass ")?.lowerBound ?? rest.endIndex
                    if rest[..<end].contains("func \(method)(") { return true }
                    searchStart = found.upperBound
                }
            }
        }
        return false
    }

    /// What is wrong with one evidence item, or nil.
    static func problem(with item: String) -> String? {
        let parts = item.split(separator: "/").map(String.init)
        if parts.count == 3, parts[0].hasSuffix("Tests"), parts[2].hasPrefix("test") {
            return testExists(target: parts[0], className: parts[1], method: parts[2])
                ? nil : "no test method \(parts[2]) in class \(parts[1]) of Tests/\(parts[0])"
        }
        for prefix in ["script: ", "file: "] where item.hasPrefix(prefix) {
            let path = String(item.dropFirst(prefix.count))
            return FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path) ? nil : "\(path) does not exist"
        }
        if item.hasPrefix("source: ") {
            let body = item.dropFirst("source: ".count)
            guard let colon = body.range(of: ": \""), body.hasSuffix("\"") else { return "source needs PATH: \"text\"" }
            let path = String(body[..<colon.lowerBound])
            let needle = String(body[colon.upperBound...].dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            guard let text = try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8) else {
                return "\(path) cannot be read"
            }
            return text.contains(needle) ? nil : "\(path) no longer contains \"\(needle)\""
        }
        if item.hasPrefix("benchmark: ") {
            let path = String(item.dropFirst("benchmark: ".count))
            return FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path) ? nil : "\(path) does not exist"
        }
        if item.hasPrefix("measured: ") { return nil }
        return "" // not evidence (a quoted name, an option): allowed beside evidence, checked below
    }

    func testEveryReferencedTestExists() throws {
        let rows = try Self.register()
        XCTAssertGreaterThan(rows.count, 150, "the register's rows were not found")
        for row in rows {
            var evidence = 0
            for item in row.evidence {
                switch Self.problem(with: item) {
                case nil: evidence += 1
                case ""?: break
                case let message?: XCTFail("\(row.section): \"\(row.claim)\": \(message)")
                }
            }
            XCTAssertGreaterThan(evidence, 0, "\(row.section): \"\(row.claim)\" names no test, script, file, source or figure")
        }
    }

    func testEveryReadmeSectionIsRegistered() throws {
        let registered = Set(try Self.register().map(\.section))
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        var inCode = false
        for line in readme.components(separatedBy: "\n") {
            if line.hasPrefix("```") { inCode.toggle() }
            guard !inCode, line.hasPrefix("#") else { continue }
            let title = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            let section = line.hasPrefix("# ") ? "README.md: \(title) (introduction)" : "README.md: \(title)"
            XCTAssertTrue(registered.contains(section), "README section \"\(title)\" has no \"## \(section)\" in Tests/README-claims.md")
        }
    }

    /// The checker itself: it finds a real test, and refuses a missing one, a missing file and a moved line.
    func testTheCheckerTellsRealEvidenceFromStale() {
        XCTAssertNil(Self.problem(with: "ZooCLITests/ReadmeClaimsRegisterTests/testTheCheckerTellsRealEvidenceFromStale"))
        XCTAssertNotNil(Self.problem(with: "ZooCLITests/ReadmeClaimsRegisterTests/testThatDoesNotExist"))
        XCTAssertNotNil(Self.problem(with: "ZooCLITests/NoSuchClass/testEveryReferencedTestExists"))
        XCTAssertNil(Self.problem(with: "file: README.md"))
        XCTAssertNotNil(Self.problem(with: "file: no/such/file"))
        XCTAssertNil(Self.problem(with: "source: README.md: \"## Manifests\""))
        XCTAssertNotNil(Self.problem(with: "source: README.md: \"no such sentence anywhere\""))
        XCTAssertEqual(Self.problem(with: "zoo list"), "")
    }
}
