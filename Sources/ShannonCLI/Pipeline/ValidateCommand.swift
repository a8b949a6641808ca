import ArgumentParser
import Foundation
import ShannonCore
import ShannonDaemon

/// `shannon validate FILE…`: checks pipeline files without touching Kafka, so CI and editors can
/// catch mistakes before a deploy.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check pipeline files and report every mistake with its line and column.",
        discussion: """
        Reads each file, interpolates ${VAR} / ${VAR:-default} from the environment, and checks \
        keys, types, allowed values, field references, windows and params. Every problem is \
        printed to stderr as

          FILE:LINE:COLUMN: error: MESSAGE
            hint: HOW TO FIX IT

        and good files print `ok: FILE (N stages)` to stdout. The exit status is 2 if any file \
        has an error, 0 otherwise.

        Example:
          $ shannon validate pipelines/credit-psi.yaml broken.yaml
          ok: pipelines/credit-psi.yaml (3 stages)
          broken.yaml:14:5: error: unknown key `windw` in a stage
            hint: did you mean `window`?

        The format is described in docs/pipelines.md; schemas/pipeline.schema.json lets \
        editors check the same shape as you type.
        """
    )

    @Argument(help: "Pipeline files (YAML).")
    var files: [String]

    @Flag(name: .long, help: "Also print each stage's configuration fingerprint.")
    var fingerprints = false

    func run() throws {
        var failed = false
        for file in files {
            do {
                let spec = try PipelineLoader.load(path: file)
                print("ok: \(file) (\(spec.stages.count) stage\(spec.stages.count == 1 ? "" : "s"))")
                if fingerprints {
                    for stage in spec.stages {
                        let hex = String(spec.fingerprint(of: stage), radix: 16)
                        print("  \(stage.id): \(String(repeating: "0", count: 16 - hex.count) + hex)")
                    }
                }
            } catch {
                failed = true
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
            }
        }
        if failed { throw ExitCode(2) }
    }
}
