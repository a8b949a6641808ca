import Foundation
import Yams

/// Reads and validates pipeline files.
///
/// Why not Codable: decoding loses node positions, and a user fixing a file wants every mistake
/// at once with its line and column. So the YAML is composed into `Node`s (each keeps its `Mark`)
/// and walked by hand, collecting errors as it goes.
public enum PipelineLoader {
    /// Reads the file at `path`; relative paths inside it resolve against its directory.
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(PipelineErrors) -> PipelineSpec {
        let (text, base) = try YAMLSource.read(path)
        return try parse(yaml: text, file: path, baseDirectory: base, environment: environment)
    }

    /// Parses pipeline text; `file` only names it in messages.
    public static func parse(
        yaml: String, file: String = "<memory>", baseDirectory: String = ".",
        environment: [String: String] = [:]
    ) throws(PipelineErrors) -> PipelineSpec {
        let root = try YAMLSource.compose(yaml, file: file, emptyHint: "start from one of the files in pipelines/")
        let reader = NodeReader(file: file, environment: environment)
        let spec = SpecBuilder(reader: reader, baseDirectory: baseDirectory).build(root)
        if let spec, reader.errors.isEmpty {
            var result = spec
            result.file = file
            return result
        }
        throw PipelineErrors(reader.errors)
    }
}
