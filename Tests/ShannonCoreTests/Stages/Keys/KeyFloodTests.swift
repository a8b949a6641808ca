import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A key flood through one stage with the default `keys:` must cost bounded memory in a real
/// process: the `changelog-bench key-flood` executable (Benchmarks/Changelog) runs it on the
/// engine, and its peak RSS comes from the kernel (`wait4`'s rusage of that child alone).
///
/// 200,000 distinct keys fit a debug build's time budget (8-20 s on a loaded 2-core machine); the release figure for
/// 1,000,000 is measured by hand (docs/pipelines.md, "Bounded keys"). Either way the cap
/// (100,000) is passed, so the evicting path is what is measured.
@Suite struct KeyFloodTests {
    static let records = 200_000

    static var binary: String {
        ProcessInfo.processInfo.environment["CHANGELOG_BENCH_BIN"]
            ?? RepoPaths.root.appendingPathComponent(".build/debug/changelog-bench").path
    }

    /// Runs the flood as a child; returns its output and peak RSS in KiB.
    static func runChild(_ arguments: [String]) throws -> (output: String, maxRSSKiB: Int, status: Int32) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("key-flood-\(getpid()).txt").path
        defer { unlink(out) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, binary, &actions, nil, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOENT) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        return (text, usage.ru_maxrss, status) // ru_maxrss is in KiB on Linux
    }

    static func field(_ name: String, in line: String) -> Int? {
        line.split(separator: " ").first { $0.hasPrefix(name + "=") }.flatMap { Int($0.dropFirst(name.count + 1)) }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary), "build changelog-bench first (swift build)"))
    func aKeyFloodStaysUnder256MiBWithEvictionsCountedAndOneNotice() throws {
        let (output, maxRSS, status) = try Self.runChild(["key-flood", "--keys", "\(Self.records)"])
        #expect(status == 0, "the flood exited with status \(status): \(output)")
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("key-flood ") }.map(String.init), "\(output)")
        #expect(Self.field("keys_held", in: line) == 100_000, "\(line)")
        #expect(Self.field("keys_evicted", in: line) == Self.records - 100_000, "\(line)")
        #expect(Self.field("evicted_windows", in: line) == Self.records - 100_000, "every evicted key is reported: \(line)")
        #expect(Self.field("notices", in: line) == 1, "the cap notice, once: \(line)")
        #expect(maxRSS > 0 && maxRSS < 256 * 1024, "peak RSS \(maxRSS) KiB")
        // The child reads its own VmHWM before it tears down; the kernel's rusage is the peak over
        // its whole life, so it can only be the larger (teardown may still allocate).
        if let hwm = Self.field("peak_rss_kib", in: line) { #expect(hwm > 0 && hwm <= maxRSS + 1024, "\(hwm) vs \(maxRSS)") }
    }
}
