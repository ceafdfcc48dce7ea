/// `text` before the earliest occurrence of any of `stops`, compared as Unicode scalars as Python
/// compares strings: how a variant trims a completion at the stop strings its reference applies.
public func cutAtFirst(of stops: [String], in text: String) -> String {
    let scalars = text.unicodeScalars
    var end = scalars.endIndex
    for stop in stops where !stop.isEmpty {
        if let range = scalars[..<end].firstRange(of: stop.unicodeScalars) { end = range.lowerBound }
    }
    return String(scalars[..<end])
}
