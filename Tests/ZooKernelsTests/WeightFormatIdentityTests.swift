import XCTest
@testable import ZooKernels

/// A format is its descriptor: equality is identity, one descriptor per format (issue #21).
final class WeightFormatIdentityTests: XCTestCase {
    func testDescriptorsEqualThemselvesOnly() {
        XCTAssertEqual(WeightFormat.q4_K, KQuantFormat.q4_K.descriptor)
        XCTAssertEqual(WeightFormat.q4_Kx16, InterleavedFormat.q4_K.descriptor)
        XCTAssertNotEqual(WeightFormat.q5_0, WeightFormat.q5_0x16)
        XCTAssertNotEqual(WeightFormat.f32, WeightFormat.f32Rows4)
    }

    func testAnotherDescriptorWithTheSameNameIsAnotherFormat() {
        let impostor = WeightFormat("f32", blockBytes: 4, kernel: { _, _, _ in }, decodeRow: { _, _, _, _ in })
        XCTAssertEqual(impostor.name, WeightFormat.f32.name)
        XCTAssertNotEqual(impostor, WeightFormat.f32)
    }
}
