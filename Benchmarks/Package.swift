// swift-tools-version:6.1
import PackageDescription

// Speed benchmarks of Shannon's kernels, in a package of their own so that neither the product
// nor its test build pulls in package-benchmark and its dependencies (CI builds the root package
// on every run). Run from the repository root with `make bench`, or here:
//
//   swift package benchmark                      # every target
//   swift package benchmark --target PSIBenchmarks
let package = Package(
    name: "ShannonBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Shannon", path: ".."),
        // Only this trait: the package's other default pulls in a runtime interposer that is
        // not on the project's package list (and measures nothing these benchmarks need).
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // One executable per subject; package-benchmark finds them by their folder.
        .executableTarget(
            name: "PSIBenchmarks",
            dependencies: [.product(name: "ShannonStats", package: "Shannon"), .product(name: "Benchmark", package: "benchmark")],
            path: "PSI",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "EntropyBenchmarks",
            dependencies: [.product(name: "ShannonStats", package: "Shannon"), .product(name: "Benchmark", package: "benchmark")],
            path: "Entropy",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "BoundaryBenchmarks",
            dependencies: [.product(name: "ShannonStats", package: "Shannon"), .product(name: "Benchmark", package: "benchmark")],
            path: "Boundary",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "DecodeBenchmarks",
            dependencies: [.product(name: "ShannonCore", package: "Shannon"), .product(name: "Benchmark", package: "benchmark")],
            path: "Decode",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
