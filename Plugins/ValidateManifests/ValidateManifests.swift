import Foundation
import PackagePlugin

/// `swift package validate-manifests [NAMES…]`: checks every manifest in `zoo/` (or the named
/// ones) with the same validator `zoo validate` uses, without loading any weights.
@main
struct ValidateManifests: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        let zoo = try context.tool(named: "zoo")
        let process = Process()
        process.executableURL = zoo.url
        process.arguments = ["validate"] + arguments
        process.currentDirectoryURL = context.package.directoryURL
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            Diagnostics.error("some manifests are invalid (see above)")
            throw ValidationFailed()
        }
    }

    struct ValidationFailed: Error, CustomStringConvertible {
        var description: String { "manifest validation failed" }
    }
}
