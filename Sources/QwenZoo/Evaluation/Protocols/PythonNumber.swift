import Foundation

/// The value Python's `eval` gives a number written as the scripts extract it (`-?digits`, `-?digits.digits`),
/// or nil where `eval` raises: non-ASCII digits, an integer with a leading zero (`007`), a lone `.`, two points.
enum PythonNumber: Equatable {
    /// An `int`, as its canonical decimal digits with a sign (`-0` is `0`).
    case int(String)
    /// A `float`.
    case float(Double)

    /// `eval(text)` for such a literal; nil where Python raises.
    init?(_ text: String) {
        var body = Substring(text)
        var negative = false
        if body.hasPrefix("-") {
            negative = true
            body = body.dropFirst()
        }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else { return nil }
        let points = body.filter { $0 == "." }.count
        if points == 0 {
            // Python's decinteger: a non-zero digit first, or zeros only.
            if body.first == "0", body.contains(where: { $0 != "0" }) { return nil }
            let digits = body.drop { $0 == "0" }
            let canonical = digits.isEmpty ? "0" : String(digits)
            self = .int(negative && canonical != "0" ? "-" + canonical : canonical)
        } else {
            guard points == 1, body != ".", let value = Double(body.hasPrefix(".") ? "0" + body : String(body)) else { return nil }
            self = .float(negative ? -value : value)
        }
    }

    /// The value as a double (`float(x)`); nil for an int beyond double's range (OverflowError).
    var double: Double? {
        switch self {
        case .int(let digits):
            let value = Double(digits)
            return value.flatMap { $0.isFinite ? $0 : nil }
        case .float(let value): return value
        }
    }

    /// Python's `==` between the two numbers.
    static func pythonEqual(_ a: PythonNumber, _ b: PythonNumber) -> Bool {
        if case .int(let x) = a, case .int(let y) = b { return x == y }
        guard let x = a.double, let y = b.double else { return false }
        return x == y
    }

    /// `str(value)` as Python prints an int; floats print with Swift's shortest form, as `repr` does.
    var description: String {
        switch self {
        case .int(let digits): return digits
        case .float(let value): return "\(value)"
        }
    }
}
