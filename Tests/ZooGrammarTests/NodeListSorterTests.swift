import XCTest
@testable import ZooGrammar

/// The automaton's own sort must give exactly what the standard library's sort plus a dedupe gives,
/// on both of its paths (insertion below the limit, radix above) and with negative markers.
final class NodeListSorterTests: XCTestCase {
    func testSortUniqueEqualsTheStandardSortWithoutRepeats() {
        var rng = SystemRandomNumberGenerator()
        var sorter = NodeListSorter()
        for count in [0, 1, 2, 5, 47, 48, 49, 200, 3_000] {
            for range in [Int32(-2)...Int32(3), Int32(-2)...Int32(5_000), Int32(-2)...Int32(8_000_000), Int32.min...Int32.max] {
                let input = (0..<count).map { _ in Int32.random(in: range, using: &rng) }
                var ours = input
                sorter.sortUnique(&ours)
                var expected: [Int32] = []
                for v in input.sorted() where expected.last != v { expected.append(v) }
                XCTAssertEqual(ours, expected, "count \(count), range \(range)")
            }
        }
    }
}
