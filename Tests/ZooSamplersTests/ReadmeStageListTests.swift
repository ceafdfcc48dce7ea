import Foundation
import XCTest
import ZooSamplers
import ZooTestSupport

/// README.md's Samplers section lists the stages by name: each is registered under that name, and
/// every built-in stage is listed.
final class ReadmeStageListTests: XCTestCase {
    /// The names of the bullet list that follows "The stages:" in README.md.
    static func readmeStageNames() throws -> [String] {
        let readme = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "The stages:\n") else { return [] }
        var names: [String] = []
        for line in readme[start.upperBound...].components(separatedBy: "\n") {
            guard line.hasPrefix("- ") else { break }
            let items = line.dropFirst(2).replacingOccurrences(of: #"\([^)]*\)"#, with: "", options: .regularExpression)
                .components(separatedBy: CharacterSet(charactersIn: ",;."))
            names += items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return names
    }

    func testEveryStageTheReadmeListsIsBuiltByName() throws {
        let listed = try Self.readmeStageNames()
        XCTAssertGreaterThanOrEqual(listed.count, 20, "the README's list was not found: \(listed)")
        let registered = BuiltinSamplerStages.makeRegistry().names
        XCTAssertEqual(Set(listed).subtracting(registered).sorted(), [], "listed in the README but not registered")
        XCTAssertEqual(Set(registered).subtracting(listed).sorted(), [], "registered but missing from the README's list")
    }
}
