import ZooCore

/// Throws an ``OptionError`` naming `key` unless `condition` holds.
@inline(__always)
func require(_ condition: Bool, _ key: String, _ message: @autoclosure () -> String) throws {
    if !condition { throw OptionError(context: "", key: key, message: message()) }
}

/// `1.5`, `20`, `-inf`: a parameter as the user wrote it.
func show(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return "\(value)"
}
