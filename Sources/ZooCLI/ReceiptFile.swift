import Foundation
import QwenZoo

/// Where `--receipt` writes, checked before any generation runs.
enum ReceiptFile {
    /// Throws a one-line error when `path` cannot be written (no such folder, or no permission).
    static func checkWritable(_ path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError(description: "--receipt \(path): the folder \(folder) does not exist")
        }
        let writable = FileManager.default.fileExists(atPath: path)
            ? FileManager.default.isWritableFile(atPath: path) : FileManager.default.isWritableFile(atPath: folder)
        guard writable else { throw InputError(description: "--receipt \(path): not writable") }
    }

    static func write(_ receipt: Receipt, to path: String) throws {
        do {
            try receipt.write(to: URL(fileURLWithPath: path))
        } catch {
            throw InputError(description: "--receipt \(path): cannot write the receipt")
        }
    }
}
