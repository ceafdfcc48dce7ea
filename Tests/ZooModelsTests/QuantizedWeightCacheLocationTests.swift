import Foundation
@testable import ZooModels
import XCTest

/// Where the quantized-weight cache goes (README, "Quantized-weight cache"): `$QWENZOO_CACHE/quantized`,
/// else `$XDG_CACHE_HOME/qwenzoo/quantized`, else `~/.cache/qwenzoo/quantized`; `QWENZOO_QUANT_CACHE=0`
/// turns it off.
final class QuantizedWeightCacheLocationTests: XCTestCase {
    func testTheDirectoryFollowsTheEnvironment() {
        let home = URL(fileURLWithPath: "/home/someone")
        func directory(_ environment: [String: String]) -> String? {
            QuantizedWeightCache.defaultDirectory(environment: environment, home: home)?.path
        }
        XCTAssertEqual(directory([:]), "/home/someone/.cache/qwenzoo/quantized")
        XCTAssertEqual(directory(["XDG_CACHE_HOME": "/xdg"]), "/xdg/qwenzoo/quantized")
        XCTAssertEqual(directory(["XDG_CACHE_HOME": "/xdg", "QWENZOO_CACHE": "/zoo-cache"]), "/zoo-cache/quantized")
        XCTAssertEqual(directory(["QWENZOO_CACHE": "", "XDG_CACHE_HOME": ""]), "/home/someone/.cache/qwenzoo/quantized",
                       "an empty variable counts as unset")
        XCTAssertNil(directory(["QWENZOO_CACHE": "/zoo-cache", "QWENZOO_QUANT_CACHE": "0"]))
    }
}
