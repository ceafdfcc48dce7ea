/// A manifest that cannot be read, resolved or validated. The message names the file and line
/// (where the YAML parser gives one) and the field.
public struct ManifestError: Error, CustomStringConvertible, Sendable {
    public let origin: ManifestOrigin?
    /// The dotted path of the field, e.g. `sampler[1].top_k`.
    public let field: String?
    public let message: String

    public init(origin: ManifestOrigin?, field: String?, message: String) {
        self.origin = origin
        self.field = field
        self.message = message
    }

    public var description: String {
        [origin?.description, field].compactMap { $0 }.joined(separator: ": ")
            + ((origin == nil && field == nil) ? "" : ": ") + message
    }
}
