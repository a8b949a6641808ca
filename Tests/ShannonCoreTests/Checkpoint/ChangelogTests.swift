import Testing
@testable import ShannonCore

/// The changelog's records and the rules that rebuild a partition's state from them.
@Suite struct ChangelogTests {
    static func checkpoint(_ generation: UInt64, offset: Int64, _ states: [String: [UInt8]]) -> Checkpoint {
        Checkpoint(pipeline: "p", topic: "t", partition: 3, nextOffset: offset, generation: generation, createdAtMs: 7,
                   fingerprints: ["s": 11],
                   entries: states.keys.sorted().map { CheckpointEntry(stageId: "s", key: $0, state: states[$0]!) })
    }

    /// A changelog partition as a list of records, fed to a rebuilder like a reader would.
    struct Log {
        var records: [ChangelogWrite] = []
        mutating func append(_ b: ChangelogBatch, withMarker: Bool = true) {
            records += b.writes
            if withMarker { records.append(ChangelogWrite(key: b.marker.key.bytes, value: b.marker.encoded(), tag: nil)) }
        }
        func rebuild() throws -> ChangelogRebuilder.Result {
            var r = ChangelogRebuilder(pipeline: "p", topic: "t", partition: 3)
            for w in records { r.add(key: w.key, value: w.value, tombstoneTag: w.tag) }
            return try r.finish()
        }
        /// What compaction keeps: the newest record of each key, in log order. Like Kafka's
        /// cleaner, only records before `cleanable` (older than min.compaction.lag.ms, outside
        /// the active segment) are removed or supersede others.
        func compacted(cleanable: Int? = nil) -> Log {
            let end = cleanable ?? records.count
            var last: [[UInt8]: Int] = [:]
            for (i, w) in records[..<end].enumerated() { last[w.key] = i }
            return Log(records: records.enumerated().filter { $0.offset >= end || last[$0.element.key] == $0.offset }.map(\.element))
        }
    }

    @Test func keysAndMarkersRoundTrip() throws {
        let entry = ChangelogKey.entry(pipeline: "p", topic: "t", partition: 5, stage: "s", key: "k\u{0}é")
        #expect(ChangelogKey(bytes: entry.bytes) == entry)
        let marker = ChangelogMarker(pipeline: "p", topic: "t", partition: 5, nextOffset: 99,
                                     tag: ChangelogTag(epoch: 3, generation: 8), owner: "h/1", createdAtMs: 5,
                                     fingerprints: ["a": 1, "b": 2], entriesWritten: 4, keys: 9)
        #expect(try ChangelogMarker(encoded: marker.encoded()) == marker)
        #expect(ChangelogKey(bytes: Array("not ours".utf8)) == nil)
        let value = try ChangelogValue.encode(state: Array(repeating: 7, count: 300), tag: ChangelogTag(epoch: 2, generation: 4))
        #expect(ChangelogValue.tag(value) == ChangelogTag(epoch: 2, generation: 4))
        #expect(try ChangelogValue.state(value) == Array(repeating: 7, count: 300))
    }

    @Test func onlyChangedKeysAreWrittenAndLeftKeysAreTombstoned() throws {
        var t = ChangelogTracker(epoch: 1, owner: "a")
        let first = try t.plan(Self.checkpoint(1, offset: 10, ["a": [1], "b": [2], "c": [3]]), createdAtMs: 0)
        #expect(first.entries == 3) // a new owner's first checkpoint is a full snapshot
        t.commit(first)
        let second = try t.plan(Self.checkpoint(2, offset: 20, ["a": [1], "b": [9]]), createdAtMs: 0)
        #expect(second.writes.filter { $0.value != nil }.count == 1)
        #expect(second.writes.filter { $0.value == nil }.map { ChangelogKey(bytes: $0.key) }
                == [.entry(pipeline: "p", topic: "t", partition: 3, stage: "s", key: "c")])
        #expect(second.marker.tag == ChangelogTag(epoch: 1, generation: 2))
        #expect(second.marker.keys == 2 && second.marker.nextOffset == 20)
    }

    @Test func entriesAfterTheNewestMarkerAreIgnored() throws {
        var t = ChangelogTracker(epoch: 1, owner: "a")
        var log = Log()
        let rounds: [[String: [UInt8]]] = [["a": [1], "b": [2]], ["a": [5], "b": [2]], ["a": [6], "b": [7]]]
        for (g, states) in rounds.enumerated() {
            let b = try t.plan(Self.checkpoint(UInt64(g + 1), offset: Int64(10 * (g + 1)), states), createdAtMs: 0)
            log.append(b, withMarker: g < 2) // the third checkpoint never got its marker
            t.commit(b)
        }
        // The unfinished checkpoint's two entries are younger than min.compaction.lag.ms: they
        // cannot yet supersede the values they replace (docs/checkpoints.md, retention settings).
        for l in [log, log.compacted(cleanable: log.records.count - 2)] {
            let r = try l.rebuild()
            #expect(r.checkpoint?.with(createdAtMs: 7) == Self.checkpoint(2, offset: 20, ["a": [5], "b": [2]]))
            #expect(r.nextEpoch == 2)
        }
        #expect(try log.rebuild().ignoredTentative == 2)
    }

    @Test func aStaleOwnersLateWriteIsIgnored() throws {
        var a = ChangelogTracker(epoch: 1, owner: "a")
        var log = Log()
        let a1 = try a.plan(Self.checkpoint(1, offset: 10, ["x": [1], "y": [2]]), createdAtMs: 0)
        log.append(a1); a.commit(a1)
        // B takes over from A's marker: epoch 2, first checkpoint a full snapshot.
        let restored = try log.rebuild()
        #expect(restored.nextEpoch == 2)
        var b = ChangelogTracker(epoch: restored.nextEpoch, owner: "b", obsoleteKeys: restored.obsoleteKeys)
        let b1 = try b.plan(Self.checkpoint(2, offset: 15, ["x": [3], "y": [2]]), createdAtMs: 0)
        log.append(b1); b.commit(b1)
        // A did not notice it lost the partition: its late checkpoint arrives after B's.
        let late = try a.plan(Self.checkpoint(2, offset: 30, ["x": [66], "y": [2], "z": [88]]), createdAtMs: 0)
        log.append(late)
        for l in [log, log.compacted()] {
            let r = try l.rebuild()
            #expect(r.marker?.owner == "b")
            #expect(r.staleMarkers.map(\.owner) == ["a"])
            // A's late "x" and "z" ("y" unchanged, not written): counted as the stale write's,
            // not as an unfinished checkpoint.
            #expect(r.staleEntries == 2 && r.ignoredTentative == 0)
            if l.records.count == log.records.count { // uncompacted: B's values are all there
                #expect(r.checkpoint?.entries == Self.checkpoint(2, offset: 15, ["x": [3], "y": [2]]).entries)
            } else {
                // The limit without broker-side fencing: once compacted, A's late value of "x"
                // shadows B's, and the restore can only drop it (docs/checkpoints.md, Guarantees).
                #expect(r.checkpoint?.entries.map(\.key) == ["y"])
            }
            #expect(r.checkpoint?.nextOffset == 15)
            #expect(r.checkpoint?.entries.contains { $0.key == "z" } == false)
            #expect(r.nextEpoch == 3)
        }
    }

    @Test func olderEpochsKeysAreObsoleteAndTombstonedByTheNextOwner() throws {
        var a = ChangelogTracker(epoch: 1, owner: "a")
        var log = Log()
        let a1 = try a.plan(Self.checkpoint(1, offset: 10, ["gone": [1], "kept": [2]]), createdAtMs: 0)
        log.append(a1)
        var r = try log.rebuild()
        var b = ChangelogTracker(epoch: r.nextEpoch, owner: "b", obsoleteKeys: r.obsoleteKeys)
        let b1 = try b.plan(Self.checkpoint(2, offset: 20, ["kept": [2]]), createdAtMs: 0)
        log.append(b1); b.commit(b1)
        r = try log.rebuild()
        #expect(r.checkpoint?.entries.map(\.key) == ["kept"])
        // Next owner: A's marker and A's "gone" are obsolete and get tombstones.
        let c = ChangelogTracker(epoch: r.nextEpoch, owner: "c", obsoleteKeys: r.obsoleteKeys)
        let c1 = try c.plan(Self.checkpoint(3, offset: 20, ["kept": [2]]), createdAtMs: 0)
        let tombstones = Set(c1.writes.filter { $0.value == nil }.compactMap { ChangelogKey(bytes: $0.key) })
        #expect(tombstones.contains(.marker(pipeline: "p", topic: "t", partition: 3, epoch: 1)))
        log.append(c1)
        #expect(try log.compacted().rebuild().checkpoint?.entries.map(\.key) == ["kept"])
    }

    @Test func aKeyTooLargeForOneMessageIsRefusedClearly() throws {
        var rng = SystemRandomNumberGenerator()
        let big = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let t = ChangelogTracker(epoch: 1, owner: "a", maxMessageBytes: 2048)
        #expect(throws: ChangelogError.self) { try t.plan(Self.checkpoint(1, offset: 1, ["huge": big]), createdAtMs: 0) }
    }
}

extension Checkpoint {
    func with(createdAtMs: Int64) -> Checkpoint { var c = self; c.createdAtMs = createdAtMs; return c }
}
