/// Splits a `text/event-stream` body into events' `data`, fed in network-sized pieces.
///
/// Lines end with LF, CRLF or CR; an event ends at an empty line; several `data:` lines of one
/// event join with LF; comments (`:`) and other fields are skipped.
struct ServerSentEvents {
    private var buffer: [UInt8] = []
    private var data: [String] = []
    private var sawCR = false

    /// Adds bytes; returns the data of every event they completed.
    mutating func feed(_ bytes: [UInt8]) -> [String] {
        var events: [String] = []
        for byte in bytes {
            if sawCR {
                sawCR = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                sawCR = byte == UInt8(ascii: "\r")
                if let event = line(String(decoding: buffer, as: UTF8.self)) { events.append(event) }
                buffer.removeAll(keepingCapacity: true)
            default:
                buffer.append(byte)
            }
        }
        return events
    }

    /// Whether a partial line or event is pending (a body that ends here was cut).
    var hasPartialEvent: Bool { !buffer.isEmpty || !data.isEmpty }

    private mutating func line(_ text: String) -> String? {
        if text.isEmpty {
            defer { data.removeAll() }
            return data.isEmpty ? nil : data.joined(separator: "\n")
        }
        if text.hasPrefix(":") { return nil }
        let (field, value): (Substring, Substring)
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            var rest = text[text.index(after: colon)...]
            if rest.hasPrefix(" ") { rest = rest.dropFirst() }
            value = rest
        } else {
            (field, value) = (Substring(text), "")
        }
        if field == "data" { data.append(String(value)) }
        return nil
    }
}
