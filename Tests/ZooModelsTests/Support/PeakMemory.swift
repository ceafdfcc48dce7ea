import Foundation

/// The growth of this process's peak resident memory while `body` runs (Linux: the peak is reset
/// through `/proc/self/clear_refs` first), or `nil` where that cannot be measured: off Linux, and
/// under AddressSanitizer, whose quarantine keeps freed memory resident.
func peakMemoryGrowth(_ body: () throws -> Void) rethrows -> Int? {
    if dlsym(dlopen(nil, RTLD_NOW), "__asan_init") != nil {
        try body()
        return nil
    }
    func status(_ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
    }
    let reset = FileManager.default.isWritableFile(atPath: "/proc/self/clear_refs")
        && (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil
    let before = status("VmRSS")
    try body()
    guard reset, let before, let peak = status("VmHWM") else { return nil }
    return max(0, peak - before)
}
