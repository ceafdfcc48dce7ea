import Foundation

/// The manifests found in the search folders, for `zoo list` and name lookup.
///
/// Every `*.yaml` file directly in a search folder is a manifest; subfolders (such as
/// `families/`) hold shared layers that manifests extend.
public struct ManifestCatalog: Sendable {
    /// One manifest a catalog lists.
    public struct Entry: Sendable {
        /// The manifest's name: its file name without `.yaml`, as ``ManifestLoader/load(_:overrides:)`` takes it.
        public let name: String
        /// The manifest file.
        public let file: URL
    }

    /// The folders listed, in order of precedence.
    public let searchPaths: [URL]

    /// A catalog of `searchPaths` (default: `$QWENZOO_PATH`, then `./zoo`).
    public init(searchPaths: [URL] = ManifestLoader.defaultSearchPaths) {
        self.searchPaths = searchPaths
    }

    /// Every file that defines `name`, in order of precedence: more than one means the first
    /// shadows the others.
    public func files(named name: String) -> [URL] {
        searchPaths.flatMap { folder in
            ["yaml", "yml"].map { folder.appendingPathComponent("\(name).\($0)") }
                .filter { FileManager.default.fileExists(atPath: $0.path) }
        }
    }

    /// The manifests by name (the first folder wins when two define the same name), sorted.
    public var entries: [Entry] {
        var seen: [String: Entry] = [:]
        for folder in searchPaths {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for file in names.sorted() where file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
                let name = (file as NSString).deletingPathExtension
                if seen[name] == nil { seen[name] = Entry(name: name, file: folder.appendingPathComponent(file)) }
            }
        }
        return seen.values.sorted { $0.name < $1.name }
    }
}
