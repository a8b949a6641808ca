import ArgumentParser
import Foundation
import ShannonCore
import ShannonTestSupport

/// `shannon test FILE.test.yaml…`: pipeline unit tests with no broker, as `rpk connect test`
/// and `vector test` do for their pipelines — so a threshold, a window or a decode path can
/// be changed with a test that says what it does to the alerts.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run pipeline test files: feed records in process, check alerts, windows and dead letters.",
        discussion: """
        Each test file names a pipeline file (relative to the test file), records to feed \
        (inline, a JSON-lines file, or a generated demo stream) and what must come out: \
        alerts (stage, key, state, figures within a tolerance), window figures, dead letters \
        by reason. The pipeline runs in process on the daemon's engine; no broker is needed.

        Every failed expectation is printed with its place in the test file, what was \
        expected and what came out. The exit status is 0 when every test passes, 1 when \
        one fails, and 2 when a test file (or its pipeline) is invalid.

        Example:
          $ shannon test pipelines/*.test.yaml
          PASS pipelines/credit-psi.test.yaml: drift after the channel shift fires (…)
          3 tests in 1 file: 3 passed, 0 failed

        The format is described in docs/pipelines.md ("Testing a pipeline") and \
        schemas/pipeline-test.schema.json.
        """
    )

    @Argument(help: "Test files (YAML, conventionally NAME.test.yaml).")
    var files: [String]

    @Flag(name: .long, help: "Also print what each test produced (windows per stage, every alert, dead letters), to write expectations from.")
    var verbose = false

    func run() throws {
        var passed = 0, failed = 0, broken = 0
        for file in files {
            let outcomes: [PipelineTestRunner.Outcome]
            do {
                outcomes = try PipelineTestRunner.run(file: file)
            } catch {
                broken += 1
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                continue
            }
            for o in outcomes {
                if o.passed {
                    passed += 1
                    print("PASS \(file): \(o.name) (\(o.summary))")
                } else {
                    failed += 1
                    print("FAIL \(file): \(o.name) (\(o.summary))")
                    for f in o.failures { print("  " + f.description.replacingOccurrences(of: "\n", with: "\n  ")) }
                }
                if verbose { for line in o.details { print("    " + line) } }
            }
        }
        let total = passed + failed
        var line = "\(total) test\(total == 1 ? "" : "s") in \(files.count) file\(files.count == 1 ? "" : "s"): \(passed) passed, \(failed) failed"
        if broken > 0 { line += ", \(broken) file\(broken == 1 ? "" : "s") invalid" }
        print(line)
        if broken > 0 { throw ExitCode(2) }
        if failed > 0 { throw ExitCode(1) }
    }
}
