import Foundation

/// Reading a benchmark file: its text, its JSONL lines as objects, and typed fields with errors that name
/// the file, line and field.
enum BenchmarkFile {
    /// A place in a file, printed `path:line`.
    struct Location: CustomStringConvertible {
        let path: String
        let line: Int
        var description: String { "\(path):\(line)" }
    }

    static func text(_ url: URL) throws -> String {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw EvaluationError("\(url.path): cannot read the file")
        }
        guard let text = String(validating: data, as: UTF8.self) else { throw EvaluationError("\(url.path): not valid UTF-8") }
        return text
    }

    /// Every non-blank line as a JSON object, with its 1-based line number.
    static func jsonLines(_ text: String, path: String) throws -> [(Int, [String: Any])] {
        var objects: [(Int, [String: Any])] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else {
                throw EvaluationError("\(path):\(index + 1): not a JSON object")
            }
            objects.append((index + 1, object))
        }
        return objects
    }

    /// The subject a file name gives: `college_physics_test.csv` → `college_physics` (`_test`, `_dev` and
    /// `_val` are dropped).
    static func subject(of url: URL) -> String {
        var name = url.deletingPathExtension().lastPathComponent
        for suffix in ["_test", "_dev", "_val"] where name.hasSuffix(suffix) {
            name.removeLast(suffix.count)
            break
        }
        return name
    }

    /// One JSONL object's fields, read with errors naming the file, line and field.
    struct Fields {
        let object: [String: Any]
        let location: Location

        init(_ object: [String: Any], at location: Location) {
            self.object = object
            self.location = location
        }

        func error(_ field: String, _ message: String) -> EvaluationError {
            EvaluationError("\(location): field \"\(field)\" \(message)")
        }

        func has(_ field: String) -> Bool { object[field] != nil }

        func string(_ field: String) throws -> String {
            guard let value = object[field] else { throw EvaluationError("\(location): missing field \"\(field)\"") }
            guard let text = value as? String else { throw error(field, "must be a string") }
            return text
        }

        func optionalString(_ field: String) throws -> String? {
            guard let value = object[field], !(value is NSNull) else { return nil }
            guard let text = value as? String else { throw error(field, "must be a string") }
            return text
        }

        func int(_ field: String) throws -> Int {
            guard let value = object[field] else { throw EvaluationError("\(location): missing field \"\(field)\"") }
            guard let number = value as? NSNumber, !(value is String), number.doubleValue == Double(number.intValue) else {
                throw error(field, "must be an integer")
            }
            return number.intValue
        }

        /// A string or integer id, as text.
        func identifier(_ field: String) throws -> String {
            if let text = object[field] as? String { return text }
            return String(try int(field))
        }

        func strings(_ field: String, count: Int?) throws -> [String] {
            guard let value = object[field] else { throw EvaluationError("\(location): missing field \"\(field)\"") }
            guard let list = value as? [Any], list.allSatisfy({ $0 is String }) else { throw error(field, "must be a list of strings") }
            if let count, list.count != count { throw error(field, "must have \(count) entries, found \(list.count)") }
            return list.map { $0 as! String }
        }

        func letter(_ field: String) throws -> String {
            let value = try string(field)
            guard QwenMultipleChoice.letters.contains(value) else { throw error(field, "must be a letter A–D, found \"\(value)\"") }
            return value
        }
    }
}

/// The gold final answer of a published solution.
public enum GoldAnswer {
    /// GSM8K: the text after the last `####`, stripped, commas removed (`#### 1,000` → `1000`); nil without `####`.
    public static func gsm8k(_ solution: String) -> String? {
        guard let range = solution.range(of: "####", options: [.literal, .backwards]) else { return nil }
        let value = PythonText.strip(String(solution[range.upperBound...])).replacingOccurrences(of: ",", with: "")
        return value.isEmpty ? nil : value
    }

    /// MATH: the contents of the last `\boxed{…}` (or `\fbox{…}`), braces balanced; `\boxed 5` gives `5`. Nil
    /// when there is none or its braces never close.
    public static func lastBoxed(_ solution: String) -> String? {
        guard let start = solution.range(of: "\\boxed", options: [.literal, .backwards])
            ?? solution.range(of: "\\fbox", options: [.literal, .backwards]) else { return nil }
        let rest = solution[start.upperBound...]
        if rest.hasPrefix(" ") {
            return PythonText.strip(String(rest.dropFirst().prefix { $0 != "$" }))
        }
        guard rest.hasPrefix("{") else { return nil }
        var depth = 0
        var answer = ""
        for c in rest {
            if c == "{" {
                depth += 1
                if depth == 1 { continue }
            } else if c == "}" {
                depth -= 1
                if depth == 0 { return answer }
            }
            answer.append(c)
        }
        return nil
    }
}
