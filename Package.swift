// swift-tools-version:6.0
import PackageDescription

// Shannon: a streaming statistics daemon over Kafka.
// Arrows point one way: shannon → ShannonPipeline → (ShannonStats, ShannonKafka, ShannonZstd) → C shims.
let package = Package(
    name: "Shannon",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "shannon", targets: ["shannon"]),
        .library(name: "ShannonStats", targets: ["ShannonStats"]),
        .library(name: "ShannonKafka", targets: ["ShannonKafka"]),
        .library(name: "ShannonZstd", targets: ["ShannonZstd"]),
        .library(name: "ShannonPipeline", targets: ["ShannonPipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries from Debian packages (installed by ops/dev/install-deps.sh).
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),

        // simdjson behind a C ABI (Debian libsimdjson-dev; DOM parser with runtime kernel dispatch).
        .target(
            name: "CSimdJSON",
            // Same define as `pkg-config --cflags simdjson`, so our inline parser code has the
            // library's struct layouts.
            cxxSettings: [.define("SIMDJSON_THREADS_ENABLED", to: "1")],
            linkerSettings: [.linkedLibrary("simdjson")]
        ),

        // Pure statistics: no Kafka, no I/O, no Foundation JSON.
        .target(name: "ShannonStats"),
        .target(name: "ShannonZstd", dependencies: ["CZstd"]),
        .target(
            name: "ShannonKafka",
            dependencies: ["CRdKafka", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "ShannonPipeline",
            dependencies: [
                "ShannonStats", "ShannonKafka", "ShannonZstd", "CSimdJSON",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "shannon",
            dependencies: [
                "ShannonStats", "ShannonKafka", "ShannonZstd", "ShannonPipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .executableTarget(name: "boundary-quality", dependencies: ["ShannonStats"], path: "Benchmarks/BoundaryQuality"),

        .testTarget(name: "ShannonStatsTests", dependencies: ["ShannonStats"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ShannonZstdTests", dependencies: ["ShannonZstd"]),
        .testTarget(name: "ShannonKafkaTests", dependencies: ["ShannonKafka"]),
        .testTarget(
            name: "ShannonPipelineTests",
            dependencies: ["ShannonPipeline", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
