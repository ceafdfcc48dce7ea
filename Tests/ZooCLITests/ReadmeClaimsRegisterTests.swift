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

    /// Every test method of every test target, as "Target/Class/method", read once: a method belongs to
    /// the class (or extension) declared last above it in its file.
    static let testMethods: Set<String> = {
        let tests = root.appendingPathComponent("Tests")
        var methods = Set<String>()
        for target in (try? FileManager.default.contentsOfDirectory(atPath: tests.path)) ?? [] {
            let files = FileManager.default.enumerator(at: tests.appendingPathComponent(target), includingPropertiesForKeys: nil)?
                .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
            for file in files {
                var owner = ""
                for line in ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n") {
                    let words = line.split(whereSeparator: { " :{(<".contains($0) })
                    let modifiers: Set<Substring> = ["final", "public", "private", "fileprivate", "internal", "open", "@MainActor"]
                    if let index = words.firstIndex(where: { $0 == "class" || $0 == "extension" }), index + 1 < words.count,
                       words[..<index].allSatisfy({ modifiers.contains($0) }) {
                        owner = String(words[index + 1])
                    } else if let index = words.firstIndex(of: "func"), index + 1 < words.count, words[index + 1].hasPrefix("test") {
                        methods.insert("\(target)/\(owner)/\(words[index + 1])")
                    }
                }
            }
        }
        return methods
    }()

    /// What is wrong with one evidence item, or nil.
    static func problem(with item: String) -> String? {
        let parts = item.split(separator: "/").map(String.init)
        if parts.count == 3, parts[0].hasSuffix("Tests"), parts[2].hasPrefix("test") {
            return testMethods.contains(item) ? nil : "no test method \(parts[2]) in class \(parts[1]) of Tests/\(parts[0])"
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
        if item.hasPrefix("measured: ") || item.hasPrefix("unchecked: ") { return nil }
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
