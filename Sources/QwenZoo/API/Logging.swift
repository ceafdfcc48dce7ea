import Logging
import Synchronization

/// Where QwenZoo's diagnostics go.
///
/// QwenZoo logs through [swift-log](https://github.com/apple/swift-log) at `debug` and `trace`
/// level only, so it is quiet under swift-log's default `info` threshold. To see what it does
/// (manifest resolution, loading, cache reuse per request, cancellations), raise the level:
///
/// ```swift
/// var logger = Logger(label: "qwenzoo")
/// logger.logLevel = .debug
/// ZooLog.logger = logger
/// ```
public enum ZooLog {
    private static let current = Mutex(Logger(label: "qwenzoo"))

    /// The logger QwenZoo writes to (label `qwenzoo`; swift-log's default level).
    public static var logger: Logger {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}
