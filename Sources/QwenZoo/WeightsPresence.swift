import Foundation
import ZooModels

/// Whether a manifest's checkpoint is where the manifest says, without loading it.
public enum WeightsPresence: Sendable, Equatable {
    /// The checkpoint folder has a `config.json`, or the GGUF file's header and tensor table read.
    case present
    /// Nothing at the path.
    case absent
    /// A GGUF file that is there but cannot be read; the reason names the file.
    case damaged(String)
}

extension Manifest.Weights {
    /// Looks at the checkpoint as ``isGGUF`` says it is stored: a GGUF file's header is read.
    public var presence: WeightsPresence {
        if isGGUF {
            guard FileManager.default.fileExists(atPath: path.path) else { return .absent }
            do {
                _ = try GGUFFile(url: path)
                return .present
            } catch {
                return .damaged("\(error)")
            }
        }
        return FileManager.default.fileExists(atPath: path.appendingPathComponent("config.json").path) ? .present : .absent
    }
}
