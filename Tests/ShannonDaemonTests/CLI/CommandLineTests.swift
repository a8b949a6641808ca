import Foundation
import Testing
import ShannonStats
@testable import ShannonCore
@testable import ShannonDaemon

/// The `shannon` executable as a user runs it: exit statuses, messages, output formats.
/// `swift build --build-tests` (what `make test` runs) builds it next to the tests.
@Suite struct CommandLineTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Output { var status: Int32; var stdout: String; var stderr: String }

    static func shannon(_ arguments: [String]) throws -> Output {
        let binary = ProcessInfo.processInfo.environment["SHANNON_BIN"] ?? root.appendingPathComponent(".build/debug/shannon").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            Issue.record("no shannon binary at \(binary): build with `swift build --build-tests` or set SHANNON_BIN")
            throw CancellationError()
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        p.currentDirectoryURL = root
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func temp(_ name: String, _ text: String) throws -> String {
        let dir = NSTemporaryDirectory() + "shannon-cli-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func validateAcceptsTheExamplePipelines() throws {
        let r = try Self.shannon(["validate", "pipelines/credit-psi.yaml", "pipelines/video-boundaries.yaml",
                                  "pipelines/llm-token-entropy.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").filter { $0.hasPrefix("ok: ") }.count == 3)
    }

    @Test func validateRejectsWithFileLineColumnAndExitTwo() throws {
        let path = try Self.temp("broken.yaml", """
        version: 1
        name: broken
        source: { topics: [t] }
        decode:
          fields:
            x: { path: x, type: number }
        stages:
          - id: s
            type: psi
            input: y
            window: { type: count, size: 10 }
            params: { referense: { edges: [1, 2] } }
        """)
        let r = try Self.shannon(["validate", path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(path):10:12: error:"), "\(r.stderr)")   // unknown field `y`
        #expect(r.stderr.contains("\(path):12:15: error:"), "\(r.stderr)")   // unknown key `referense`
        #expect(r.stderr.contains("did you mean `reference`"), "\(r.stderr)")
    }

    /// `shannon stats psi` on files prints what the library computes on the same numbers.
    @Test func statsPSIMatchesTheLibrary() throws {
        var rng = SplitMix64(seed: 77)
        let reference = (0..<3000).map { _ in rng.normal() }
        let current = (0..<2000).map { _ in 0.3 + 1.2 * rng.normal() }
        let refPath = try Self.temp("ref.csv", "score\n" + reference.map { "\($0)" }.joined(separator: "\n") + "\n")
        let curPath = try Self.temp("cur.jsonl", current.map { #"{"score":\#($0)}"# }.joined(separator: "\n") + "\n")
        let r = try Self.shannon(["stats", "psi", "--reference", refPath, "--current", curPath, "--field", "score", "--bins", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])

        let binning = try Binning(quantilesOf: reference, bins: 10)
        var acc = PSIAccumulator(binning: binning, referenceSample: reference)
        for x in current { acc.add(x) }
        let expected = acc.result()
        // The CLI prints shortest round-trip decimals; Foundation's parser may be an ulp off.
        #expect(abs((json["psi"] as? Double ?? .nan) - expected.psi) <= 1e-12 * expected.psi)
        #expect(abs((json["se"] as? Double ?? .nan) - expected.se) <= 1e-12 * expected.se)
        #expect(abs((json["p_value"] as? Double ?? .nan) - expected.pValue) <= 1e-9 * max(expected.pValue, 1e-300))
        #expect((json["df"] as? Int) == expected.df)
        #expect((json["bins"] as? [Any])?.count == expected.bins.count)
    }

    @Test func checkpointInspectReportsCorruptionWithExitOne() throws {
        let checkpoint = Checkpoint(pipeline: "p", topic: "t", partition: 0, nextOffset: 42, generation: 1, createdAtMs: 0,
                                    fingerprints: ["s": 1], entries: [CheckpointEntry(stageId: "s", key: "*", state: [1, 2, 3])])
        var bytes = try CheckpointFile.encode(checkpoint)
        let good = try Self.temp("gen-00000000000000000001.ckpt", "")
        try Data(bytes).write(to: URL(fileURLWithPath: good))
        let ok = try Self.shannon(["checkpoint", "inspect", good])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("next offset  42"), "\(ok.stdout)")

        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: good))
        let bad = try Self.shannon(["checkpoint", "inspect", good])
        #expect(bad.status == 1)
        #expect((bad.stdout + bad.stderr).lowercased().contains("corrupt") || (bad.stdout + bad.stderr).contains("checksum"),
                "\(bad.stdout)\(bad.stderr)")
    }

    @Test func everyCommandsHelpTeachesWithAnExample() throws {
        for command in [["run"], ["alerts"], ["demo"], ["validate"], ["checkpoint", "inspect"], ["dev-broker"],
                        ["stats", "psi"], ["stats", "entropy"], ["stats", "boundaries"]] {
            let r = try Self.shannon(command + ["--help"])
            #expect(r.status == 0)
            #expect(r.stdout.contains("Example"), "`shannon \(command.joined(separator: " ")) --help` has no example")
        }
    }
}
