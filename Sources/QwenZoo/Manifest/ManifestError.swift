/// A manifest that cannot be read, resolved or validated. The message names the file and line
/// (where the YAML parser gives one) and the field.
public struct ManifestError: Error, CustomStringConvertible, Sendable {
    /// The file and line of the offending value; `nil` when no single place is to blame.
    public let origin: ManifestOrigin?
    /// The dotted path of the field, e.g. `sampler[1].top_k`.
    public let field: String?
    /// What is wrong, without the place (``description`` adds it).
    public let message: String

    /// An error at `origin` (if known) in `field` (if any).
    public init(origin: ManifestOrigin?, field: String?, message: String) {
        self.origin = origin
        self.field = field
        self.message = message
    }

    /// `file:line: field: message`, leaving out the parts that are `nil`.
    public var description: String {
        [origin?.description, field].compactMap { $0 }.joined(separator: ": ")
            + ((origin == nil && field == nil) ? "" : ": ") + message
    }
}
