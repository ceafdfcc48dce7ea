import Foundation

/// One-line JSON objects for `--json` output: sorted keys, slashes left as they are.
enum JSONOutput {
    static let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]

    /// The object as one line of JSON, newline included.
    static func line(_ object: [String: Any]) -> String {
        // Only plain values (strings, numbers, arrays, dictionaries) reach here, so this cannot fail.
        let data = (try? JSONSerialization.data(withJSONObject: object, options: options)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
