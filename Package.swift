// swift-tools-version: 6.0
// QwenZoo: run the Qwen family of language models on a Linux CPU, as a modular model zoo.
import PackageDescription

let package = Package(
    name: "QwenZoo",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "QwenZoo", targets: ["QwenZoo"]),
        .executable(name: "zoo", targets: ["ZooCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: Native libraries
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),

        .target(name: "CZooKernels"),

        // MARK: Core protocol layer (imports nothing of ours)
        .target(name: "ZooCore"),

        // MARK: Kernels and components
        .target(name: "ZooKernels", dependencies: ["COpenBLAS", "CZooKernels"]),
        .target(name: "ZooTokenizers", dependencies: ["ZooCore"]),
        .target(name: "ZooAttention", dependencies: ["ZooCore", "ZooKernels"]),
        .target(name: "ZooSamplers", dependencies: ["ZooCore"]),
        .target(name: "ZooModels", dependencies: ["ZooCore", "ZooKernels", "ZooAttention"]),

        // MARK: Runtime (the library apps import) and front ends
        .target(
            name: "QwenZoo",
            dependencies: ["ZooCore", "ZooTokenizers", "ZooModels", "ZooAttention", "ZooSamplers"]
        ),
        .executableTarget(
            name: "ZooCLI",
            dependencies: [
                "QwenZoo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Tests (one target per module; fixtures under Tests/Fixtures)
        .target(name: "ZooTestSupport", dependencies: ["ZooCore"], path: "Tests/ZooTestSupport"),
        .testTarget(name: "ZooTokenizersTests", dependencies: ["ZooTokenizers", "ZooTestSupport"]),
        .testTarget(name: "ZooCoreTests", dependencies: ["ZooCore"]),
        .testTarget(name: "ZooKernelsTests", dependencies: ["ZooKernels"]),
        .testTarget(name: "ZooAttentionTests", dependencies: ["ZooAttention"]),
        .testTarget(name: "ZooModelsTests", dependencies: ["ZooModels", "ZooTestSupport"]),
        .testTarget(name: "QwenZooTests", dependencies: ["QwenZoo", "ZooTestSupport"]),
        .testTarget(name: "ZooCLITests", dependencies: ["ZooCLI", "ZooTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
