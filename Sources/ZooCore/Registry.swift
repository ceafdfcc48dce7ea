import Synchronization

/// A name → factory table for one kind of component (tokenizers, attention kinds, sampler stages,
/// variants, architectures), under the names that manifests use.
///
/// Built-in components are registered by their own targets; an app registers its own the same
/// way, without touching QwenZoo's sources. Registration is thread-safe.
public final class Registry<Factory: Sendable>: Sendable {
    /// What is registered, e.g. "sampler stage"; used in error messages.
    public let kind: String
    private let entries = Mutex<[String: Factory]>([:])

    public init(kind: String) {
        self.kind = kind
    }

    /// Registers (or replaces) the factory for `name`.
    public func register(_ name: String, _ factory: Factory) {
        entries.withLock { $0[name] = factory }
    }

    /// The registered names, sorted.
    public var names: [String] { entries.withLock { $0.keys.sorted() } }

    /// Whether `name` is registered.
    public func contains(_ name: String) -> Bool { entries.withLock { $0[name] != nil } }

    /// The factory for `name`, or an error that lists the registered names.
    public func factory(_ name: String) throws -> Factory {
        if let factory = entries.withLock({ $0[name] }) { return factory }
        throw UnknownComponentError(kind: kind, name: name, registered: names)
    }
}

/// A manifest or command line named a component that is not registered.
public struct UnknownComponentError: Error, CustomStringConvertible, Sendable {
    public let kind: String
    public let name: String
    public let registered: [String]

    public var description: String {
        let suggestion = didYouMean(name, in: registered)
        return "unknown \(kind) \"\(name)\"\(suggestion); registered: \(registered.joined(separator: ", "))"
    }
}
