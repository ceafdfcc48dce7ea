import Foundation
import ZooHTTP

/// Reports a pull's progress (the CLI draws a bar on a terminal, a line per file elsewhere).
public protocol HubProgress: Sendable {
    /// `file` starts downloading: `total` bytes if known, `resumedAt` bytes already on disk.
    func started(_ file: String, total: Int64?, resumedAt: Int64)
    /// `file` has `received` bytes on disk now.
    func advanced(_ file: String, received: Int64)
    /// `file` is in the snapshot: `downloaded` false means it was already in the cache.
    func finished(_ file: String, downloaded: Bool)
    /// A transfer broke and is retried from `resumeAt`.
    func retrying(_ file: String, resumeAt: Int64, reason: String)
}

/// Downloads one blob into `<etag>.incomplete`, resuming with an HTTP range request what an earlier
/// attempt left, checks its size and (for LFS files) its sha256, and only then renames it to the blob.
struct BlobDownload: Sendable {
    var transport: HTTPTransport
    /// Sent to the Hub's own host only (``HTTPTransport`` drops it on a redirect elsewhere).
    var headers: [(name: String, value: String)]
    /// Attempts per file before giving up (each resumes where the last stopped).
    var attempts = 5
    /// Seconds before the first retry; doubled each time.
    var backoff = 0.2

    /// Fetches `url` into `blob`, using `incomplete` for the partial file.
    func run(url: String, file: String, blob: URL, incomplete: URL, size: Int64?, sha256: String?,
             progress: any HubProgress) async throws {
        let manager = FileManager.default
        try manager.createDirectory(at: blob.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !manager.fileExists(atPath: incomplete.path) { _ = manager.createFile(atPath: incomplete.path, contents: nil) }
        var lastError = ""
        for attempt in 1...attempts {
            let offset = Self.length(of: incomplete)
            if attempt == 1 { progress.started(file, total: size, resumedAt: offset) }
            do {
                try await fetch(url: url, file: file, incomplete: incomplete, from: offset, size: size, progress: progress)
                try verify(file: file, incomplete: incomplete, size: size, sha256: sha256)
                try? manager.removeItem(at: blob)
                try manager.moveItem(at: incomplete, to: blob)
                return
            } catch let error as HTTPError {
                // The connection broke or went quiet: what arrived stays, the next attempt resumes.
                lastError = "\(error)"
                if attempt < attempts {
                    progress.retrying(file, resumeAt: Self.length(of: incomplete), reason: lastError)
                    try await Task.sleep(for: .seconds(backoff * Double(1 << (attempt - 1))))
                }
            }
        }
        throw HubError.transferFailed(file: file, attempts: attempts, underlying: lastError)
    }

    /// One request: from `offset` on if the file has that much already.
    private func fetch(url: String, file: String, incomplete: URL, from offset: Int64, size: Int64?,
                       progress: any HubProgress) async throws {
        if let size, offset == size { return }  // complete but not yet verified (a crash before the rename)
        var request = HTTPRequest(url: url, headers: headers + [("Accept-Encoding", "identity")])
        if offset > 0 { request.headers.append(("Range", "bytes=\(offset)-")) }
        let response = try await transport.send(request)
        let handle = try FileHandle(forWritingTo: incomplete)
        defer { try? handle.close() }
        switch response.head.status {
        case 206:
            guard let range = response.head.header("Content-Range"), Self.rangeStart(range) == offset else {
                response.discard()
                throw HubError.malformed(url: response.head.url, reason: "a partial answer that does not start at byte \(offset)")
            }
            try handle.seekToEnd()
        case 200:
            try handle.truncate(atOffset: 0)  // the server ignored the range: start over
        case 416 where offset > 0:
            response.discard()
            // What is on disk cannot be continued: start over.
            try handle.truncate(atOffset: 0)
            throw HTTPError.connectionClosed(url: url, reason: "the server cannot continue from byte \(offset)")
        default:
            let body = (try? await response.collect(limit: 1 << 16)) ?? []
            throw HubError.refused(url: response.head.url, status: response.head.status,
                                   message: String(decoding: body.prefix(300), as: UTF8.self))
        }
        var received = try handle.offset()
        for try await chunk in response.chunks() {
            try handle.write(contentsOf: chunk)
            received += UInt64(chunk.count)
            progress.advanced(file, received: Int64(received))
            if let size, Int64(received) > size { break }  // verify() names the excess
        }
    }

    /// Checks the finished file; a wrong one is deleted (resuming it would keep the damage).
    private func verify(file: String, incomplete: URL, size: Int64?, sha256: String?) throws {
        let actualSize = Self.length(of: incomplete)
        if let size, actualSize != size {
            try? FileManager.default.removeItem(at: incomplete)
            throw HubError.sizeMismatch(file: file, expected: size, actual: actualSize)
        }
        guard let sha256 else { return }
        let actual = try Self.sha256(of: incomplete)
        guard actual == sha256.lowercased() else {
            try? FileManager.default.removeItem(at: incomplete)
            throw HubError.checksumMismatch(file: file, expected: sha256.lowercased(), actual: actual)
        }
    }

    static func sha256(of file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var digest = SHA256()
        while let data = try handle.read(upToCount: 4 << 20), !data.isEmpty {
            data.withUnsafeBytes { digest.update($0) }
        }
        return digest.hexDigest()
    }

    static func length(of file: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// The first byte of `bytes 100-199/200`.
    static func rangeStart(_ contentRange: String) -> Int64? {
        guard let spec = contentRange.split(separator: " ").last, let dash = spec.firstIndex(of: "-") else { return nil }
        return Int64(spec[..<dash])
    }
}
