import Foundation

/// A failure reading the command's input.
struct InputError: Error, CustomStringConvertible {
    let description: String
}

enum StandardIO {
    /// All of stdin as UTF-8 text; invalid UTF-8 is an error rather than silent replacement.
    static func readText() throws -> String {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        guard let text = String(validating: data, as: UTF8.self) else {
            throw InputError(description: "stdin is not valid UTF-8")
        }
        return text
    }

    /// Writes text to stdout without buffering surprises for a streaming reader.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes a note to stderr, out of the way of the output.
    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Parses `1,2,3` (spaces allowed) into ids.
    static func parseIDs(_ text: String, option: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        return try parts.map { part in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let id = Int(trimmed), id >= 0 else {
                throw InputError(description: "\(option): \"\(trimmed)\" is not a token id (expected e.g. 1,2,3)")
            }
            return id
        }
    }

    /// Parses a JSON array of non-negative integers.
    static func parseJSONIDs(_ text: String) throws -> [Int] {
        let ids: [Int]
        do {
            ids = try JSONDecoder().decode([Int].self, from: Data(text.utf8))
        } catch DecodingError.typeMismatch(_, let context) where !context.codingPath.isEmpty {
            let index = context.codingPath.last?.intValue.map(String.init) ?? "?"
            throw InputError(description: "stdin: element \(index) of the JSON array is not an integer token id")
        } catch {
            throw InputError(description: "stdin: expected a JSON array of token ids, e.g. [9707, 1879]")
        }
        if let bad = ids.firstIndex(where: { $0 < 0 }) {
            throw InputError(description: "stdin: element \(bad) (\(ids[bad])) is not a token id")
        }
        return ids
    }

    /// Formats ids as a one-line JSON array.
    static func json(_ ids: [Int]) -> String {
        "[" + ids.map(String.init).joined(separator: ", ") + "]"
    }
}
