import Foundation
import ZooTestSupport

/// `scripts/fake_hub.py`: local folders served at the Hub's URL shapes, with misbehaviour on request
/// (`--cut FILE:BYTES`, `--corrupt FILE`, `--gated ORG/NAME`). Its log has one `METHOD PATH RANGE` line
/// per request.
typealias FakeHub = ScriptServer

extension ScriptServer {
    convenience init(_ arguments: [String], directory: URL) throws {
        try self.init(script: "fake_hub.py", arguments, directory: directory)
    }
}
