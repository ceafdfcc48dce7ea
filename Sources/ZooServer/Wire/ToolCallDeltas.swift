import QwenZoo

/// A tool call as OpenAI writes it: in a message, `{"id": "call_…", "type": "function", "function": {"name", "arguments"}}`
/// with the arguments as JSON text; in a stream, deltas keyed by the call's `index`: first the `id`, `type` and
/// `function.name` (with `arguments: ""`), then `function.arguments` fragments.
struct ToolCallWire: Encodable, Sendable, Equatable {
    var index: Int?
    var id: String?
    var type: String?
    var function: Function

    struct Function: Encodable, Sendable, Equatable {
        var name: String?
        var arguments: String
    }

    /// `message.tool_calls[i]`.
    static func whole(_ call: ToolCall, id: String) -> ToolCallWire {
        ToolCallWire(id: id, type: "function", function: Function(name: call.name, arguments: arguments(call)))
    }

    /// The characters of arguments text per streamed fragment.
    static let fragmentLength = 16

    /// The deltas of call `index` of a streamed choice: its head, then its arguments in fragments. The call is sent
    /// only once it has parsed (``ToolCallStream``), so the fragments are cut from its whole text, as short as
    /// OpenAI's token-sized ones, so that clients reassemble them as they must for OpenAI.
    static func deltas(_ call: ToolCall, index: Int, id: String) -> [ToolCallWire] {
        var text = Substring(arguments(call))
        var deltas = [ToolCallWire(index: index, id: id, type: "function", function: Function(name: call.name, arguments: ""))]
        repeat {
            deltas.append(ToolCallWire(index: index, function: Function(arguments: String(text.prefix(fragmentLength)))))
            text = text.dropFirst(fragmentLength)
        } while !text.isEmpty
        return deltas
    }

    /// The arguments as JSON text (keys in the order the model wrote them); free text (Qwen v1's `Action Input:`
    /// that is not JSON) as it is.
    static func arguments(_ call: ToolCall) -> String {
        if case .string(let text) = call.arguments { return text }
        return JSONWriter.compact(call.arguments)
    }

    /// A new call id, `call_` and 24 letters and digits.
    static func newID() -> String {
        "call_" + String((0..<24).map { _ in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".randomElement()! })
    }
}
