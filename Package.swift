// swift-tools-version:6.0
import PackageDescription

// Shannon: a streaming statistics daemon over Kafka.
// Arrows point one way: shannon → ShannonCLI → ShannonDaemon → (ShannonCore, ShannonKafka)
// → (ShannonStats, ShannonZstd) → C shims. Only ShannonDaemon and ShannonCLI import ShannonKafka.
let package = Package(
    name: "Shannon",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "shannon", targets: ["shannon"]),
        .library(name: "ShannonStats", targets: ["ShannonStats"]),
        .library(name: "ShannonKafka", targets: ["ShannonKafka"]),
        .library(name: "ShannonZstd", targets: ["ShannonZstd"]),
        .library(name: "ShannonCore", targets: ["ShannonCore"]),
        .library(name: "ShannonDaemon", targets: ["ShannonDaemon"]),
        .library(name: "ShannonTestSupport", targets: ["ShannonTestSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
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
        // The Kafka-free core: pipeline model and configuration, decoding, windows, stages,
        // alerts, checkpoint encoding, and an engine that runs a plan over records in memory.
        .target(
            name: "ShannonCore",
            dependencies: [
                "ShannonStats", "ShannonZstd", "CSimdJSON",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The daemon: the Kafka run loop (one place wires a worker), checkpoint files, metrics
        // and health, the service lifecycle.
        .target(
            name: "ShannonDaemon",
            dependencies: [
                "ShannonCore", "ShannonKafka", "ShannonZstd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Windows and alerts (JSON lines) to one self-contained HTML page of charts.
        .target(name: "ShannonReport", dependencies: ["ShannonCore"]),
        // What tests, benchmarks and the demo share: generated streams, the TCPD loader, an
        // in-process pipeline driver (no broker).
        .target(name: "ShannonTestSupport", dependencies: ["ShannonCore", "ShannonStats"]),
        // Every command, as a library that tests can call.
        .target(
            name: "ShannonCLI",
            dependencies: [
                "ShannonStats", "ShannonKafka", "ShannonCore", "ShannonDaemon", "ShannonTestSupport", "ShannonReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(name: "shannon", dependencies: ["ShannonCLI"]),
        // State benchmarks (changelog restore rate, local checkpoint, key flood): a plain executable,
        // numbers reported not asserted. ShannonDaemon for the real durable write (CheckpointStore).
        .executableTarget(name: "changelog-bench", dependencies: ["ShannonCore", "ShannonDaemon"], path: "Benchmarks/Changelog"),

        .executableTarget(name: "boundary-quality", dependencies: ["ShannonStats"], path: "Benchmarks/BoundaryQuality"),

        .testTarget(name: "ShannonStatsTests", dependencies: ["ShannonStats"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ShannonZstdTests", dependencies: ["ShannonZstd"]),
        .testTarget(name: "ShannonKafkaTests", dependencies: ["ShannonKafka"]),
        .testTarget(
            name: "ShannonCoreTests",
            dependencies: ["ShannonCore", "ShannonTestSupport", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "ShannonDaemonTests",
            dependencies: ["ShannonDaemon", "ShannonCore", "ShannonKafka", "ShannonTestSupport", "ShannonCLI"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "ShannonReportTests", dependencies: ["ShannonReport", "ShannonCore"]),
        // The commands' file readers and writers, without running a command.
        .testTarget(name: "ShannonCLITests", dependencies: ["ShannonCLI", "ShannonCore", "ShannonTestSupport"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
