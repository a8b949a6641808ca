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
        let port = try DaemonProbeProcessTests.freePort()
        let b = try ChangelogE2E.Daemon(setup, name: "b", metricsPort: port)
        defer { b.cleanUp() }
        try ChangelogE2E.waitFor("the joiner to restore from the changelog") {
            ChangelogE2E.restores(in: b.logText).contains { $0.source == "changelog" }
        }
        // The restore's figures are exported: entries read (as logged) and the restore time.
        let series = "{pipeline=\"\(setup.spec.name)\"}"
        var scraped = Exposition(text: "")
        try ChangelogE2E.waitFor("the joiner's metrics to show its restore") {
            scraped = Exposition(text: (try? HTTPGet.get(port: port, "/metrics").body) ?? "")
            let logged = ChangelogE2E.restores(in: b.logText).reduce(0) { $0 + $1.entries }
            return logged > 0 && scraped.value("shannon_changelog_restore_entries_read" + series) == Double(logged)
        }
        #expect((scraped.value("shannon_changelog_last_restore_seconds" + series) ?? -1) >= 0)
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
        // The daemon to be killed checkpoints only every 1000 records of a partition (never by
        // time), so it dies holding work no checkpoint covers: a replay that is not zero.
        var slow = setup
        slow.file = setup.file.replacingOccurrences(of: ".yaml", with: "-slow.yaml")
        try String(contentsOfFile: setup.file, encoding: .utf8)
            .replacingOccurrences(of: "every_records: 300", with: "every_records: 1000")
            .replacingOccurrences(of: "every_seconds: 1", with: "every_seconds: 3600")
            .write(toFile: slow.file, atomically: true, encoding: .utf8)
        try E2E.produce(Array(Self.stream[..<4_000]), to: topic)
        let a = try ChangelogE2E.Daemon(slow, name: "a"), b = try ChangelogE2E.Daemon(setup, name: "b")
        defer { a.cleanUp(); b.cleanUp() }
        try ChangelogE2E.waitFor("the second daemon to checkpoint every partition it owns (3)") {
            Set(try ChangelogE2E.markers(setup).filter { $0.owner == b.owner }.map(\.partition)).count >= 3
        }
        try E2E.produce(Array(Self.stream[4_000..<8_000]), to: topic)
        // ~1333 records per partition: the killed daemon checkpoints its three once (at 1000 on
        // one of them), then keeps publishing windows that no checkpoint covers.
        try Self.waitUntilIdle(setup)
        // Its partitions: those whose newest marker (highest epoch) is its own (a partition it
        // handed over when the second daemon joined carries an older marker of it too).
        func ownedByA() throws -> [Int32: Int64] {
            let newest = try ChangelogE2E.markers(setup).reduce(into: [Int32: ChangelogMarker]()) { m, marker in
                if m[marker.partition].map({ marker.tag > $0.tag }) ?? true { m[marker.partition] = marker }
            }
            return newest.values.filter { $0.owner == a.owner }.reduce(into: [Int32: Int64]()) { $0[$1.partition] = $1.nextOffset }
        }
        try ChangelogE2E.waitFor("the daemon to be killed to checkpoint its partitions") { try ownedByA().count >= 3 }
        a.kill() // no final checkpoint, no leaving the group
        let killedAt = try ownedByA()
        #expect(killedAt.count == 3, "the killed daemon owned three partitions: \(killedAt)")
        // What it published after its last checkpoint, read before anyone takes its partitions
        // over (the session times out after 4 s): exactly what the next owners must compute again.
        let published = try ChangelogE2E.windows(setup.spec)
        let uncovered = Set(published.map(\.identity).filter { identity in
            let parts = identity.split(separator: "|", omittingEmptySubsequences: false)
            guard let at = killedAt[Int32(parts[2])!] else { return false }
            return Int64(parts[4])! >= at
        })
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
        // Twice: exactly the windows of the killed daemon's partitions that closed after its last
        // marker and that it had published; none before it (no replay from the start).
        // Usually non-empty (6 in a run on 2026-12-02); empty when the killed daemon's last
        // checkpoint happened to fall after its last record (seen 1 run in 2): then the bound is 0.
        if uncovered.isEmpty { print("kill: the killed daemon's last checkpoint covered all it published: replay 0") }
        #expect(Set(duplicates.keys) == uncovered,
                "computed twice: \(duplicates.keys.sorted().prefix(5)); published after the last checkpoint: \(uncovered.sorted().prefix(5))")
        #expect(duplicates.values.allSatisfy { $0 == 2 }, "computed twice at most: \(duplicates.filter { $0.value > 2 })")
        for p in killedAt.keys {
            // The bound the checkpoint interval sets: the replay starts at the last marker, which
            // is at most one interval (plus one poll's batch) behind what the daemon had read.
            let ends = uncovered.filter { $0.split(separator: "|", omittingEmptySubsequences: false)[2] == "\(p)" }
                .map { Int64($0.split(separator: "|", omittingEmptySubsequences: false)[4])! }
            if let last = ends.max() { #expect(last - killedAt[p]! < 1000 + 8192, "partition \(p) replayed \(last - killedAt[p]!) records") }
        }
        let restores = (ChangelogE2E.restores(in: b.logText) + ChangelogE2E.restores(in: c.logText)).filter { $0.source == "changelog" }
        print("kill: \(windows) windows, \(duplicates.count) computed twice (killed daemon's partitions "
              + "\(killedAt.keys.sorted()) at offsets \(killedAt.sorted { $0.key < $1.key }.map(\.value))); restores "
              + restores.map { "\($0.entries)/\($0.ms)ms" }.joined(separator: " "))
    }

    /// Waits until the windows topic has stopped growing for a second: every daemon has read
    /// what was produced so far.
    static func waitUntilIdle(_ setup: ChangelogE2E.Setup) throws {
        var last = -1, stableSince = ContinuousClock.now
        try ChangelogE2E.waitFor("the daemons to go idle") {
            let n = try ChangelogE2E.windows(setup.spec).count
            if n != last { last = n; stableSince = ContinuousClock.now }
            return ContinuousClock.now - stableSince >= .seconds(1)
        }
    }
}
