// swift-tools-version: 6.0
// libFuzzer targets for every parser of untrusted input in QwenZoo (issue 18). Kept out of the main
// package so the normal build never sees the sanitizer flags; scripts/fuzz.sh builds and runs them:
//   swift build --product zoo-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xcc -fsanitize=address
// One executable holds every target (one link instead of a dozen); ZOO_FUZZ_TARGET picks one.
import PackageDescription

let package = Package(
    name: "QwenZooFuzz",
    dependencies: [
        .package(name: "QwenZoo", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "zoo-fuzz",
            dependencies: [.product(name: "QwenZoo", package: "QwenZoo")],
            path: "Sources/ZooFuzz"
        ),
    ],
    swiftLanguageModes: [.v6]
)
