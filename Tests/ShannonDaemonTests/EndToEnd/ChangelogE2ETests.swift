import Foundation
import ShannonKafka
import Testing
@testable import ShannonCore
import ShannonTestSupport
@testable import ShannonDaemon

/// State in Kafka: partitions move between daemon processes with their state, through the
/// changelog, with no shared disk. Volumes stay far below the mock's ~5 MiB per partition
/// (a few hundred KiB of changelog per partition), so no test here can show compaction: the
/// mock never compacts, and the compaction rules are covered by the rebuilder's unit tests.
@Suite(.serialized) struct ChangelogE2ETests {
    static let stream = DemoStreams.creditScores(records: 12_000, shiftAt: 6_000, seed: 47).records

    /// Checks the windows of a multi-daemon run against one uninterrupted run: every window
    /// appears with the same figures; returns the identities computed more than once.
    static func compare(_ setup: ChangelogE2E.Setup) throws -> (duplicates: [String: Int], windows: Int) {
        let reference = try ChangelogE2E.reference(setup)
        let got = try ChangelogE2E.windows(setup.spec)
        let expected = Dictionary(reference.windows.map { ($0.identity, $0.figures) }) { a, _ in a }
        var seen: [String: Int] = [:]
        for w in got {
            seen[w.identity, default: 0] += 1
            #expect(expected[w.identity] == w.figures, "window \(w.identity) differs from the uninterrupted run")
        }
        #expect(Set(seen.keys) == Set(expected.keys), "every window of the uninterrupted run, and no other")
        let alerts = try E2E.alerts(of: setup.spec)
        #expect(Set(alerts.map(\.id)) == Set(reference.alerts.map(\.id)), "the same alert ids")
        let values = Dictionary(reference.alerts.map { ($0.id, $0.value) }) { a, _ in a }
        for a in alerts { #expect(values[a.id] == a.value, "alert \(a.id) differs") }
        return (seen.filter { $0.value > 1 }, expected.count)
    }

    @Test("graceful handover: a member joins, the moved partitions restore from the changelog, nothing is computed twice")
    func gracefulHandover() throws {
        let setup = try ChangelogE2E.setup(partitions: 4)
        let topic = setup.spec.source.topics[0]
        try E2E.produce(Array(Self.stream[..<6_000]), to: topic)
        let a = try ChangelogE2E.Daemon(setup, name: "a")
        defer { a.cleanUp() }
        try ChangelogE2E.waitFor("the first daemon to checkpoint the first half") {
            try ChangelogE2E.markers(setup).reduce(into: [Int32: Int64]()) { $0[$1.partition] = max($0[$1.partition] ?? 0, $1.nextOffset) }
                .values.reduce(0, +) == 6_000
        }
        let b = try ChangelogE2E.Daemon(setup, name: "b")
        defer { b.cleanUp() }
        try ChangelogE2E.waitFor("the joiner to restore from the changelog") {
            ChangelogE2E.restores(in: b.logText).contains { $0.source == "changelog" }
        }
        try E2E.produce(Array(Self.stream[6_000...]), to: topic)
        try ChangelogE2E.waitFor("both to read the second half") {
            try ChangelogE2E.markers(setup).reduce(into: [Int32: Int64]()) { $0[$1.partition] = max($0[$1.partition] ?? 0, $1.nextOffset) }
                .values.reduce(0, +) == Int64(Self.stream.count)
        }
        #expect(a.stop() == 0)
        #expect(b.stop() == 0)
        let (duplicates, windows) = try Self.compare(setup)
        #expect(duplicates.isEmpty, "a graceful handover computes no window twice: \(duplicates.prefix(5))")
        let restored = ChangelogE2E.restores(in: b.logText).filter { $0.source == "changelog" }
        print("handover: \(windows) windows, \(duplicates.count) computed twice; joiner restores "
              + restored.map { "\($0.entries) entries in \($0.ms) ms" }.joined(separator: ", "))
    }

    @Test("three daemons: one killed mid-stream, one joining later; only windows after its last checkpoint are computed twice")
    func killedDaemonIsReplacedFromTheChangelog() throws {
        let setup = try ChangelogE2E.setup(partitions: 6)
        let topic = setup.spec.source.topics[0]
        try E2E.produce(Array(Self.stream[..<4_000]), to: topic)
        let a = try ChangelogE2E.Daemon(setup, name: "a"), b = try ChangelogE2E.Daemon(setup, name: "b")
        defer { a.cleanUp(); b.cleanUp() }
        try ChangelogE2E.waitFor("both daemons to checkpoint every partition they own (3 each)") {
            let markers = try ChangelogE2E.markers(setup)
            return [a.owner, b.owner].allSatisfy { o in Set(markers.filter { $0.owner == o }.map(\.partition)).count >= 3 }
        }
        try E2E.produce(Array(Self.stream[4_000..<8_000]), to: topic)
        Thread.sleep(forTimeInterval: 0.4)
        a.kill() // mid-stream: no final checkpoint, no leaving the group
        let killedAt = try ChangelogE2E.markers(setup).filter { $0.owner == a.owner }
            .reduce(into: [Int32: Int64]()) { $0[$1.partition] = max($0[$1.partition] ?? 0, $1.nextOffset) }
        let c = try ChangelogE2E.Daemon(setup, name: "c")
        defer { c.cleanUp() }
        try E2E.produce(Array(Self.stream[8_000...]), to: topic)
        try ChangelogE2E.waitFor("the survivors to read everything", seconds: 60) {
            try ChangelogE2E.markers(setup).filter { $0.owner != a.owner }
                .reduce(into: [Int32: Int64]()) { $0[$1.partition] = max($0[$1.partition] ?? 0, $1.nextOffset) }
                .values.reduce(0, +) == Int64(Self.stream.count)
        }
        #expect(b.stop() == 0)
        #expect(c.stop() == 0)
        let (duplicates, windows) = try Self.compare(setup)
        // Twice only: windows of the killed daemon's partitions that closed after its last marker.
        for (identity, _) in duplicates {
            let parts = identity.split(separator: "|", omittingEmptySubsequences: false)
            let partition = Int32(parts[2])!, end = Int64(parts[4])!
            #expect(killedAt[partition] != nil && end >= killedAt[partition]!,
                    "window \(identity) computed twice but closed before the killed daemon's last checkpoint")
        }
        #expect(duplicates.count < windows / 4, "no replay from the start")
        let restores = (ChangelogE2E.restores(in: b.logText) + ChangelogE2E.restores(in: c.logText)).filter { $0.source == "changelog" }
        print("kill: \(windows) windows, \(duplicates.count) computed twice (killed daemon's partitions "
              + "\(killedAt.keys.sorted())); restores " + restores.map { "\($0.entries)/\($0.ms)ms" }.joined(separator: " "))
    }
}
