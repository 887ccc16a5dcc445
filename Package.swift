// swift-tools-version:6.1
// Synpref: reward models the Skywork-Reward-V2 way, in Swift.
// Module layers (bottom to top; a module imports only modules below it) are described in
// docs/architecture.md. Heavy dependencies (GRDB, postgres-nio) stay in SynprefData so the
// engine modules and their tests build fast.
import PackageDescription

// OpenBLAS through a system-library target on Linux; Accelerate (imported directly) elsewhere.
let blas: [Target.Dependency] = [.target(name: "CBLAS", condition: .when(platforms: [.linux]))]

let package = Package(
    name: "Synpref",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "synpref", targets: ["synpref"]),
        .library(name: "SynprefModels", targets: ["SynprefModels"]),
        .library(name: "SynprefText", targets: ["SynprefText"]),
        .library(name: "SynprefData", targets: ["SynprefData"]),
        .library(name: "SynprefEval", targets: ["SynprefEval"]),
        .library(name: "SynprefTraining", targets: ["SynprefTraining"]),
        .library(name: "SynprefServer", targets: ["SynprefServer"]),
        .library(name: "SynprefRetrieval", targets: ["SynprefRetrieval"]),
        .library(name: "SynprefJudge", targets: ["SynprefJudge"]),
        .library(name: "SynprefCuration", targets: ["SynprefCuration"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.30.0"),
    ],
    targets: [
        // Layer 0: BLAS and C kernels. Linux: a current OpenBLAS (PyPI scipy-openblas32, kernels
        // chosen by CPU features; scripts/bootstrap.sh installs it with a pkg-config file);
        // Apple platforms: Accelerate.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "scipy-openblas"),
        .target(name: "CSynprefKernels", path: "Sources/CSynprefKernels"),
        // SHA-256 in C (SHA-NI when the CPU has it), for SynprefCore.SHA256.
        .target(name: "CSynprefHash", path: "Sources/CSynprefHash"),
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        // Parquet's page codecs (SNAPPY, ZSTD; GZIP goes through zlib).
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // Layer 0: shared vocabulary (messages, JSON lines, errors, progress).
        .target(name: "SynprefCore", dependencies: ["CZlib", "CSynprefHash"]),
        // Layer 1: tensors and kernels; text (tokenizer.json) and chat templates (Jinja).
        .target(name: "SynprefTensor", dependencies: blas + ["CSynprefKernels", "SynprefCore"]),
        .target(name: "SynprefText", dependencies: ["SynprefCore"]),
        .target(name: "SynprefJinja", dependencies: ["SynprefCore"]),
        // Layer 2: checkpoints + architectures + RewardModel; preference data and stores.
        .target(name: "SynprefModels", dependencies: ["SynprefTensor", "SynprefText", "SynprefJinja", "SynprefCore"]),
        .target(name: "SynprefData", dependencies: [
            "SynprefCore", "CZlib", "CSnappy", "CZstd",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        // Layer 3: training and evaluation.
        .target(name: "SynprefTraining", dependencies: ["SynprefModels", "SynprefData", "SynprefTensor", "CSynprefKernels", "SynprefCore"]),
        .target(name: "SynprefEval", dependencies: ["SynprefModels", "SynprefData", "SynprefCore"]),
        // Layer 3: LLM judges over OpenAI-compatible endpoints (AsyncHTTPClient stays here).
        .target(name: "SynprefJudge", dependencies: [
            "SynprefData", "SynprefJinja", "SynprefCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], resources: [.copy("Prompts")]),
        // Layer 3: sentence embeddings and nearest-neighbour search.
        .target(name: "SynprefRetrieval", dependencies: ["SynprefModels", "SynprefData", "SynprefText", "SynprefTensor", "SynprefCore"]),
        // Layer 4: the curation pipeline (Stage 1 and Stage 2), recorded in the store.
        .target(name: "SynprefCuration", dependencies: [
            "SynprefTraining", "SynprefEval", "SynprefJudge", "SynprefRetrieval", "SynprefModels", "SynprefData", "SynprefCore",
        ]),
        // Layer 5: the HTTP server: the scoring endpoints and the annotation app (on the store
        // and the curation pipeline's human queues). Hummingbird stays here so lower modules
        // and their tests build without it.
        .target(name: "SynprefServer", dependencies: [
            "SynprefModels", "SynprefCore", "SynprefData", "SynprefCuration", "SynprefEval",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // Layer 6: the command line. SynprefCLI holds the commands so tests can drive them.
        .target(name: "SynprefCLI", dependencies: [
            "SynprefModels", "SynprefText", "SynprefJinja", "SynprefData", "SynprefEval",
            "SynprefTraining", "SynprefTensor", "SynprefCore", "SynprefServer", "SynprefRetrieval", "SynprefJudge", "SynprefCuration",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "synpref", dependencies: ["SynprefCLI"]),
        // Benchmarks (run release builds only; see benchmarks/runtime/README.md).
        .executableTarget(
            name: "synpref-bench", dependencies: ["SynprefModels", "SynprefTensor", "CSynprefKernels"],
            path: "benchmarks/runtime/SynprefBench"),
        .executableTarget(
            name: "synpref-train-bench", dependencies: ["SynprefTraining", "SynprefTensor"],
            path: "benchmarks/training/SynprefTrainBench"),

        .executableTarget(
            name: "synpref-judge-bench", dependencies: ["SynprefJudge", "SynprefData", "SynprefCore",
                                                        .product(name: "Hummingbird", package: "hummingbird")],
            path: "benchmarks/judge/SynprefJudgeBench"),

        // libFuzzer target (fuzz/parquet/run.sh builds it with -sanitize=fuzzer,address).
        .executableTarget(name: "synpref-parquet-fuzz", dependencies: ["SynprefData"], path: "fuzz/parquet", exclude: ["run.sh", "corpus"]),
        .executableTarget(name: "synpref-parquet-bench", dependencies: ["SynprefData"], path: "benchmarks/parquet/SynprefParquetBench"),

        .executableTarget(
            name: "synpref-pgvector-bench", dependencies: ["SynprefRetrieval", "SynprefData", "SynprefCore"],
            path: "benchmarks/retrieval/PgvectorBench"),

        // Test harness: an import that SIGKILLs itself after N committed chunks (CrashSafetyTests).
        .executableTarget(name: "synpref-crash-harness", dependencies: ["SynprefData"], path: "Tests/SynprefCrashHarness"),

        .testTarget(name: "SynprefCoreTests", dependencies: ["SynprefCore"]),
        .testTarget(name: "SynprefTensorTests", dependencies: ["SynprefTestSupport", "SynprefTensor"]),
        .testTarget(name: "SynprefTextTests", dependencies: ["SynprefTestSupport", "SynprefText"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SynprefJinjaTests", dependencies: ["SynprefJinja"], resources: [.copy("Fixtures")]),
        .target(name: "HubTestSupport", dependencies: ["SynprefCore"], path: "Tests/HubTestSupport"),
        .target(name: "SynprefTestSupport", dependencies: ["CSynprefKernels", "SynprefCore"], path: "Tests/SynprefTestSupport"),
        .testTarget(name: "SynprefModelsTests", dependencies: ["SynprefTestSupport", "SynprefModels", "HubTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SynprefDataTests", dependencies: ["SynprefTestSupport", "SynprefData"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SynprefTrainingTests", dependencies: ["SynprefTestSupport", "SynprefTraining"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SynprefEvalTests", dependencies: ["SynprefEval"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SynprefJudgeTests", dependencies: ["SynprefTestSupport", "SynprefJudge", "SynprefData", "SynprefCore"]),
        .testTarget(name: "SynprefRetrievalTests", dependencies: ["SynprefTestSupport", "SynprefRetrieval", "SynprefModels", "SynprefData", "SynprefTensor", "SynprefCore"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "SynprefServerTests", dependencies: [
            "SynprefTestSupport", "SynprefServer", "SynprefModels", "SynprefTensor", "SynprefCore", "SynprefData", "SynprefCuration", "SynprefEval",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "SynprefCurationTests", dependencies: ["SynprefTestSupport", "SynprefCuration", "SynprefTraining", "SynprefModels", "SynprefData", "SynprefJudge", "SynprefCore"]),
        .testTarget(name: "SynprefCLITests", dependencies: ["SynprefTestSupport", "SynprefCLI", "HubTestSupport"], exclude: ["Fixtures"]),
    ]
)
