/// Watches streamed text for stop strings, holding back just enough text that a stop string
/// split across tokens is never half-emitted.
package struct StopStringMatcher: Sendable {
    package let stops: [String]
    private let holdBack: Int
    private var pending = ""
    /// All text accepted so far (emitted or pending), for the final output.
    package private(set) var text = ""

    package init(stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }
        holdBack = (self.stops.map(\.count).max() ?? 1) - 1
    }

    /// Adds text; returns what may be shown now and the stop string if one was reached
    /// (the text is then cut before it).
    package mutating func append(_ chunk: String) -> (emit: String, stop: String?) {
        pending += chunk
        if let (stop, range) = stops.compactMap({ s in pending.range(of: s).map { (s, $0) } })
            .min(by: { $0.1.lowerBound < $1.1.lowerBound }) {
            let emit = String(pending[..<range.lowerBound])
            text += emit
            pending = ""
            return (emit, stop)
        }
        let keep = min(holdBack, pending.count)
        let cut = pending.index(pending.endIndex, offsetBy: -keep)
        let emit = String(pending[..<cut])
        pending = String(pending[cut...])
        text += emit
        return (emit, nil)
    }

    /// The held-back tail, once generation has ended without a stop string.
    package mutating func finish() -> String {
        defer { pending = "" }
        text += pending
        return pending
    }
}
