import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory; unmapped when the last reference goes away.
///
/// Pages are read lazily by the kernel, so opening a multi-gigabyte checkpoint costs almost
/// nothing until tensors are touched. The file must not be truncated while mapped (the kernel
/// would raise SIGBUS on access), which is the usual contract for model files.
final class MappedFile: @unchecked Sendable {
    /// The mapped bytes (`count` is the file size; `baseAddress` is nil for an empty file).
    let bytes: UnsafeRawBufferPointer
    let url: URL

    init(url: URL) throws {
        self.url = url
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CheckpointError(.unreadableFile, file: url, "cannot open: \(Self.errnoText())")
        }
        // The mapping stays valid after the descriptor is closed.
        defer { close(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw CheckpointError(.unreadableFile, file: url, "cannot stat: \(Self.errnoText())")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw CheckpointError(.unreadableFile, file: url, "not a regular file")
        }
        let size = Int(info.st_size)
        guard size > 0 else {
            // mmap rejects zero-length mappings; an empty file is reported by the header check.
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw CheckpointError(.unreadableFile, file: url, "cannot map \(size) bytes: \(Self.errnoText())")
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    /// Tells the kernel this process no longer needs the whole pages inside `byteCount` bytes at
    /// `start` (they are read from the file again if touched), so they stop counting as resident.
    func dropPages(_ start: UnsafeRawPointer, byteCount: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (Int(bitPattern: start) + page - 1) / page * page
        let end = (Int(bitPattern: start) + byteCount) / page * page
        guard end > first, let address = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(address, end - first, MADV_DONTNEED)
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
