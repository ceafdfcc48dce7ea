import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// Malformed manifests produce errors, never a crash: every bundled manifest, cut short at many
/// points, with lines dropped and with values swapped for other types, is loaded and validated.
final class ManifestRobustnessTests: XCTestCase {
    func testMutatedManifestsNeverCrash() throws {
        let zoo = Fixtures.repositoryRoot.appendingPathComponent("zoo")
        let dir = try Fixtures.temporaryDirectory("zoo-mutations")
        try FileManager.default.copyItem(at: zoo.appendingPathComponent("families"), to: dir.appendingPathComponent("families"))
        let loader = ManifestLoader(searchPaths: [dir], environment: [:])
        var loads = 0, errors = 0
        let sources = try FileManager.default.contentsOfDirectory(atPath: zoo.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertFalse(sources.isEmpty)
        for name in sources {
            let text = try String(contentsOf: zoo.appendingPathComponent(name), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var mutants: [String] = []
            for cut in stride(from: 0, to: text.count, by: max(1, text.count / 25)) {
                mutants.append(String(text.prefix(cut)))
            }
            for i in lines.indices {
                var dropped = lines
                dropped.remove(at: i)
                mutants.append(dropped.joined(separator: "\n"))
                for replacement in ["[1, 2]", "{a: b}", "-3", "null", "\"\"", "true", "&a x", "*a", "!!binary x", "{{", "\t"] {
                    guard let colon = lines[i].firstIndex(of: ":") else { continue }
                    var swapped = lines
                    swapped[i] = String(lines[i][...colon]) + " " + replacement
                    mutants.append(swapped.joined(separator: "\n"))
                }
            }
            for mutant in mutants {
                let file = dir.appendingPathComponent("mutant.yaml")
                try Data(mutant.utf8).write(to: file)
                loads += 1
                do {
                    let resolved = try loader.load(file.path)
                    try ManifestValidator.check(resolved.manifest)
                    _ = ManifestPrinter.render(resolved)
                } catch {
                    errors += 1
                    XCTAssertFalse("\(error)".isEmpty)
                }
            }
        }
        XCTAssertGreaterThan(loads, 500)
        XCTAssertGreaterThan(errors, loads / 4, "most mutants are invalid")
    }
}
