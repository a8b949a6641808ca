import Foundation

/// Locations of the repository's committed files, found from this source file so tests run from
/// any working directory.
enum RepoPaths {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let pipelines = root.appendingPathComponent("pipelines")
    static let schemas = root.appendingPathComponent("schemas")

    static func pipelineFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: pipelines, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" && !$0.lastPathComponent.hasSuffix(".test.yaml") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The example pipelines' test files (`NAME.test.yaml`, run by `shannon test`).
    static func pipelineTestFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: pipelines, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasSuffix(".test.yaml") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func fixture(_ name: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(name)
    }
}
