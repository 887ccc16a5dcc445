// swift-tools-version:6.1
// Tokenizer benchmark: a separate package so the benchmark binary does not add a target to
// the main package. Build release only: `swift build -c release --package-path benchmarks/tokenizer`.
// Driven by benchmarks/tokenizer/run.py, which times the Python `tokenizers` library in the
// same run.
import PackageDescription

let package = Package(
    name: "TokenizerBench",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Synpref", path: "../..")],
    targets: [
        .executableTarget(
            name: "tokenizer-bench",
            dependencies: [.product(name: "SynprefText", package: "Synpref")],
            path: "Sources/TokenizerBench"),
    ]
)
