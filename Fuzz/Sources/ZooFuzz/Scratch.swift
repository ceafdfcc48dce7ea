import Foundation

/// Files the file-based loaders read: one private folder per process (in `/dev/shm` when there
/// is one), rewritten for each input.
enum Scratch {
    static let folder: URL = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let url = URL(fileURLWithPath: base).appendingPathComponent("zoo-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: Scratch.folder) }
        return url
    }()

    /// Writes `bytes` to `name` in the folder and returns its URL. Empty input leaves no file:
    /// Foundation's `Data(contentsOf:)` leaks 4 KiB on an empty file, and each such leak made
    /// libFuzzer stop for a full leak scan (the manifest target ran at 3 inputs/s).
    @discardableResult
    static func file(_ name: String, _ bytes: some Collection<UInt8>, in directory: URL = folder) -> URL {
        let url = directory.appendingPathComponent(name)
        if bytes.isEmpty {
            try? FileManager.default.removeItem(at: url)
        } else {
            _ = FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
        }
        return url
    }

    /// `input` cut at each NUL byte into at most `count` parts (the rest empty).
    static func parts(_ input: [UInt8], _ count: Int) -> [ArraySlice<UInt8>] {
        var parts = input.split(separator: 0, maxSplits: count - 1, omittingEmptySubsequences: false)
        while parts.count < count { parts.append([]) }
        return parts
    }

    /// The repository's top-level folder, for the fixtures the targets load once.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
