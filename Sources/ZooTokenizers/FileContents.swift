import Foundation

/// Reading vocabulary files with load errors that name the file.
enum FileContents {
    /// The bytes of a file.
    static func bytes(_ url: URL) throws(TokenizerLoadError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw TokenizerLoadError(path: url.path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw TokenizerLoadError(path: url.path, reason: "is a directory, expected a file")
        }
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw TokenizerLoadError(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
    }

    /// The text of a file, which must be valid UTF-8.
    static func text(_ url: URL) throws(TokenizerLoadError) -> String {
        let data = try bytes(url)
        guard let text = String(validating: data, as: UTF8.self) else {
            throw TokenizerLoadError(path: url.path, location: firstInvalidUTF8Line(data).map { .line($0) },
                                     reason: "not valid UTF-8")
        }
        return text
    }

    /// The 1-based line holding the first byte sequence that is not UTF-8.
    static func firstInvalidUTF8Line(_ data: [UInt8]) -> Int? {
        var line = 1
        var start = 0
        for (i, b) in data.enumerated() where b == UInt8(ascii: "\n") || i == data.count - 1 {
            if String(validating: data[start...i], as: UTF8.self) == nil { return line }
            line += 1
            start = i + 1
        }
        return nil
    }
}
