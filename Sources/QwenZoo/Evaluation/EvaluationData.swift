import Foundation

/// One evaluation item per line of a JSONL file, decoded with errors that name the file and line.
enum EvaluationData {
    static func read<Item: Decodable>(_ type: Item.Type, from url: URL, limit: Int?) throws -> [Item] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw EvaluationError("\(url.path): cannot read the file")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw EvaluationError("\(url.path): not valid UTF-8")
        }
        var items: [Item] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let limit, items.count >= limit { break }
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            do {
                items.append(try JSONDecoder().decode(Item.self, from: Data(trimmed.utf8)))
            } catch let DecodingError.keyNotFound(key, _) {
                throw EvaluationError("\(url.path):\(index + 1): missing field \"\(key.stringValue)\"")
            } catch DecodingError.typeMismatch(_, let context) {
                let field = context.codingPath.map(\.stringValue).joined(separator: ".")
                throw EvaluationError("\(url.path):\(index + 1): field \"\(field)\" has the wrong type")
            } catch {
                throw EvaluationError("\(url.path):\(index + 1): not a JSON object of this task")
            }
        }
        guard !items.isEmpty else { throw EvaluationError("\(url.path): no items") }
        return items
    }
}

/// An evaluation that cannot run as asked.
public struct EvaluationError: Error, CustomStringConvertible, Sendable {
    /// What went wrong; for a data file, with its path and line.
    public let description: String
    /// An error that says `description`.
    public init(_ description: String) { self.description = description }
}

/// Reports how far an evaluation has got (done, total), e.g. to draw a progress bar.
public typealias EvaluationProgress = @Sendable (Int, Int) -> Void
