/// Writes ``JSONValue``s as Python's `json.dumps` does, which is what Qwen's prompt templates (`tojson`) and
/// `openai_api.py` (`json.dumps(..., ensure_ascii=False)`) put into prompts.
public enum JSONWriter {
    /// `json.dumps(value, ensure_ascii=False)`: separators `, ` and `: `, non-ASCII kept as is.
    public static func python(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, comma: ", ", colon: ": ")
        return out
    }

    /// Compact JSON (`,` and `:`), for storage and wire formats.
    public static func compact(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, comma: ",", colon: ":")
        return out
    }

    private static func write(_ value: JSONValue, into out: inout String, comma: String, colon: String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let n): out += String(n)
        case .number(let d): out += pythonFloat(d)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out += "["
            for (k, item) in items.enumerated() {
                if k > 0 { out += comma }
                write(item, into: &out, comma: comma, colon: colon)
            }
            out += "]"
        case .object(let object):
            out += "{"
            for (k, member) in object.members.enumerated() {
                if k > 0 { out += comma }
                writeString(member.key, into: &out)
                out += colon
                write(member.value, into: &out, comma: comma, colon: colon)
            }
            out += "}"
        }
    }

    /// Python's `float.__repr__` (shortest round-trip digits; exponent form below 1e-4 and from 1e16), and
    /// `json.dumps`'s `Infinity`/`NaN`.
    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        // Swift's description has the shortest round-trip digits too; only the layout differs, so take its digits
        // and decimal exponent and lay them out as Python's repr does.
        let text = d.magnitude.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits = mantissa.filter { $0 != "." }
        let point = (mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count)
        var pointPosition = point + exponent  // digits before the decimal point
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        let sign = d < 0 || (d == 0 && d.sign == .minus) ? "-" : ""
        if digits == "0" { return sign + "0.0" }
        let decimalExponent = pointPosition - 1
        if decimalExponent < -4 || decimalExponent >= 16 {
            let head = String(digits.prefix(1))
            let tail = String(digits.dropFirst())
            let e = decimalExponent < 0 ? "-" + pad2(-decimalExponent) : "+" + pad2(decimalExponent)
            return sign + head + (tail.isEmpty ? "" : "." + tail) + "e" + e
        }
        if pointPosition <= 0 { return sign + "0." + String(repeating: "0", count: -pointPosition) + digits }
        if pointPosition >= digits.count {
            return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
        }
        return sign + String(digits.prefix(pointPosition)) + "." + String(digits.dropFirst(pointPosition))
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// A JSON string as `json.dumps(ensure_ascii=False)` writes it: `"` `\` and control characters escaped.
    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{c}": out += "\\f"
            default:
                if c.value < 0x20 {
                    let hex = String(c.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        out += "\""
    }
}
