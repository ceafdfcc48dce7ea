// swift-tools-version: 6.0
// QwenZoo: run the Qwen family of language models on a Linux CPU, as a modular model zoo.
import PackageDescription

let package = Package(
    name: "QwenZoo",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "QwenZoo", targets: ["QwenZoo"]),
        .library(name: "ZooServer", targets: ["ZooServer"]),
        .executable(name: "zoo", targets: ["zoo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
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
        // Constraint stages (JSON, JSON Schema, regex, GBNF, choice): a grammar engine plus the
        // sampler stages that apply it, so ZooSamplers itself stays grammar-free.
        .target(name: "ZooGrammar", dependencies: ["ZooCore", "ZooSamplers"]),
        .target(name: "ZooModels", dependencies: ["ZooCore", "ZooKernels", "ZooAttention"]),

        // MARK: Network (one small HTTP layer; the Hugging Face Hub client and cache on it)
        .target(
            name: "ZooHTTP",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(name: "ZooHub", dependencies: ["ZooCore", "ZooHTTP"]),

        // MARK: Engines (run rendered prompts: the in-process batching scheduler; remote OpenAI-compatible servers)
        .target(name: "ZooScheduler", dependencies: ["ZooCore", "ZooSamplers", "ZooModels", "ZooAttention"]),
        .target(name: "ZooRemote", dependencies: ["ZooCore", "ZooSamplers", "ZooScheduler", "ZooHTTP"]),

        // MARK: Variant plugins (prompt formats and outputs; never weights)
        .target(name: "QwenBase", dependencies: ["ZooCore"]),
        .target(name: "QwenChat", dependencies: ["ZooCore"]),
        // Coder-Instruct and Math-Instruct take tools through the Qwen2.5 chat template of QwenChat.
        .target(name: "QwenCode", dependencies: ["ZooCore", "QwenChat"]),
        .target(name: "QwenMath", dependencies: ["ZooCore", "QwenChat"]),

        // MARK: Runtime (the library apps import) and front ends
        .target(
            name: "QwenZoo",
            dependencies: [
                "ZooCore", "ZooTokenizers", "ZooModels", "ZooAttention", "ZooSamplers", "ZooGrammar",
                "QwenBase", "QwenChat", "QwenCode", "QwenMath", "ZooScheduler", "ZooHub", "ZooRemote",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ZooServer",
            dependencies: [
                "QwenZoo",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "zoo",
            dependencies: [
                "QwenZoo", "ZooServer", "ZooHub",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/ZooCLI"
        ),

        // MARK: Package plugins
        .plugin(
            name: "ValidateManifests",
            capability: .command(
                intent: .custom(verb: "validate-manifests", description: "Validate every manifest in zoo/"),
                permissions: []),
            dependencies: ["zoo"]
        ),

        // MARK: Tests (one target per module; fixtures under Tests/Fixtures)
        .target(name: "ZooTestSupport", dependencies: ["ZooCore"], path: "Tests/ZooTestSupport"),
        .testTarget(name: "ZooTokenizersTests", dependencies: ["ZooTokenizers", "ZooTestSupport"]),
        .testTarget(name: "ZooCoreTests", dependencies: ["ZooCore"]),
        .testTarget(name: "ZooKernelsTests", dependencies: ["ZooKernels"]),
        .testTarget(name: "ZooAttentionTests", dependencies: ["ZooAttention"]),
        .testTarget(name: "ZooSamplersTests", dependencies: ["ZooSamplers", "ZooTestSupport"]),
        .testTarget(name: "ZooGrammarTests", dependencies: ["ZooGrammar", "ZooTokenizers", "ZooTestSupport"]),
        .testTarget(name: "QwenBaseTests", dependencies: ["QwenBase", "ZooTokenizers", "ZooTestSupport"]),
        .testTarget(name: "QwenChatTests", dependencies: ["QwenChat", "ZooTokenizers", "ZooTestSupport"]),
        .testTarget(name: "QwenCodeTests", dependencies: ["QwenCode", "ZooTokenizers", "ZooTestSupport"]),
        .testTarget(name: "QwenMathTests", dependencies: ["QwenMath", "ZooTokenizers", "ZooTestSupport"]),
        .testTarget(name: "ZooModelsTests", dependencies: ["ZooModels", "ZooTestSupport"]),
        .testTarget(name: "QwenZooTests", dependencies: ["QwenZoo", "ZooTestSupport"]),
        .testTarget(name: "ZooSchedulerTests", dependencies: ["ZooScheduler", "QwenZoo", "ZooAttention", "ZooTestSupport"]),
        .testTarget(name: "ZooCLITests", dependencies: ["zoo", "QwenZoo", "ZooTestSupport"]),
        .testTarget(
            name: "ZooServerTests",
            dependencies: [
                "ZooServer", "ZooTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "ZooHubTests", dependencies: ["ZooHub"]),
        .testTarget(name: "ZooRemoteTests", dependencies: ["ZooRemote", "ZooTokenizers", "ZooTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
