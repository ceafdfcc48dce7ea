import Foundation

/// Locates the committed test fixtures and the downloaded vocabulary, whatever the working directory.
public enum Fixtures {
    /// The repository's top-level folder (derived from this file's path).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // ZooTestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// `Tests/Fixtures`.
    public static let root: URL = repositoryRoot.appendingPathComponent("Tests/Fixtures")

    /// A path below `Tests/Fixtures`.
    public static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    /// The real Qwen vocabulary fetched by `scripts/fetch_vocab.sh` (not committed).
    public static var qwenTiktoken: URL { url("vocab/qwen.tiktoken") }

    /// A fresh empty folder for a test to write into.
    public static func temporaryDirectory(_ label: String = "zoo-test") throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
