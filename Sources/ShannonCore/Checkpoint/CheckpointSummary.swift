/// What `shannon checkpoint inspect` shows about one checkpoint: the header and, per stage,
/// how many entries and keys it holds, how many state bytes, and which estimator tags.
public struct CheckpointSummary: Equatable, Sendable {
    public struct Stage: Equatable, Sendable {
        public var id: String
        /// nil when the stage has entries but no fingerprint (should not happen; shown as such).
        public var fingerprint: UInt64?
        public var entries: Int
        public var keys: Int
        public var stateBytes: Int
        /// Estimator tag ("PSI1", "WCNT"…, or "?" for bytes that are not a sealed record) → entries.
        public var tags: [(tag: String, count: Int)]

        public static func == (a: Stage, b: Stage) -> Bool {
            a.id == b.id && a.fingerprint == b.fingerprint && a.entries == b.entries && a.keys == b.keys
                && a.stateBytes == b.stateBytes && a.tags.map(\.tag) == b.tags.map(\.tag) && a.tags.map(\.count) == b.tags.map(\.count)
        }
    }

    public var header: CheckpointFile.Header
    public var stages: [Stage]

    public init(header: CheckpointFile.Header, checkpoint: Checkpoint) {
        self.header = header
        var byStage: [String: (entries: Int, keys: Set<String>, bytes: Int, tags: [String: Int])] = [:]
        for e in checkpoint.entries {
            var s = byStage[e.stageId] ?? (0, [], 0, [:])
            s.entries += 1
            s.keys.insert(e.key)
            s.bytes += e.state.count
            s.tags[e.stateTag ?? "?", default: 0] += 1
            byStage[e.stageId] = s
        }
        let ids = Set(byStage.keys).union(checkpoint.fingerprints.keys).sorted()
        stages = ids.map { id in
            let s = byStage[id] ?? (0, [], 0, [:])
            return Stage(id: id, fingerprint: checkpoint.fingerprints[id], entries: s.entries, keys: s.keys.count,
                         stateBytes: s.bytes, tags: s.tags.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
    }

    /// The summary as one JSON object (fingerprints as 16 hex digits: JSON numbers lose UInt64 precision).
    public func write(to w: inout JSONWriter, path: String) {
        w.beginObject()
        w.field("path", path)
        w.field("ok", true)
        w.field("format_version", Int(header.formatVersion))
        w.field("pipeline", header.pipeline)
        w.field("topic", header.topic)
        w.field("partition", Int(header.partition))
        w.field("next_offset", header.nextOffset)
        w.field("generation", String(header.generation))
        w.field("created_at", header.createdAtMs)
        w.field("body_bytes", String(header.bodyLength))
        w.field("uncompressed_bytes", String(header.uncompressedLength))
        w.key("stages")
        w.beginArray()
        for s in stages {
            w.beginObject()
            w.field("id", s.id)
            w.field("fingerprint", s.fingerprint.map(checkpointHex))
            w.field("entries", s.entries)
            w.field("keys", s.keys)
            w.field("state_bytes", s.stateBytes)
            w.key("tags")
            w.beginObject()
            for t in s.tags { w.field(t.tag, t.count) }
            w.endObject()
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    /// Fingerprint as 16 lowercase hex digits.
    public static func hexFingerprint(_ v: UInt64) -> String { checkpointHex(v) }
}
