import Foundation
import Hummingbird
import QwenZoo
import ZooTestSupport
@testable import ZooServer

/// The bundled nano manifests, loaded once for every test of this target.
enum ServerTest {
    static let zooFolder = Fixtures.repositoryRoot.appendingPathComponent("zoo")

    /// A loaded registry of nano-chat, nano-code and nano-base.
    static let registry: ModelRegistry = {
        let loader = ManifestLoader(searchPaths: [zooFolder])
        let pending = ["nano-chat", "nano-code", "nano-base"].map {
            ModelRegistry.Pending(reference: $0, resolved: try! loader.load($0))
        }
        let registry = try! ModelRegistry(manifests: pending)
        try! registry.load()
        return registry
    }()

    static func model(_ name: String) throws -> ServedModel {
        try registry.model(named: name)
    }

    /// Decodes a wire request from JSON text.
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONCoding.decode(type, from: ByteBuffer(string: json))
    }
}
