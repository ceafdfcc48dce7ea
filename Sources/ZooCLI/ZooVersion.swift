/// What `zoo --version` prints.
enum ZooVersion {
    static let current = "0.1.0"
}
