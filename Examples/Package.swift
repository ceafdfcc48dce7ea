// swift-tools-version: 6.0
// Example apps that use QwenZoo as a dependency, the way an app outside this repository would.
import Foundation
import PackageDescription

// A path dependency is known by its folder's name (the repository's checkout folder).
let qwenZoo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

let package = Package(
    name: "QwenZooExamples",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "zoo-chat",
            dependencies: [.product(name: "QwenZoo", package: qwenZoo)],
            path: "Sources/ZooChat"),
        .executableTarget(
            name: "zoo-tools",
            dependencies: [.product(name: "QwenZoo", package: qwenZoo)],
            path: "Sources/ZooTools"),
    ],
    swiftLanguageModes: [.v6]
)
