import Yams

/// `checkpoint.changelog`: the pipeline's state changelog on Kafka (docs/checkpoints.md).
///
///     checkpoint:
///       changelog: { enabled: true, topic: shannon-state-credit-psi, max_message_bytes: 1000000 }
///
/// Off unless enabled: the topic must exist with as many partitions as the source (compacted),
/// which only the operator can promise, and a daemon with local checkpoints needs none.
public struct ChangelogSpec: Sendable, Equatable {
    public var enabled = false
    /// nil: `shannon-state-<pipeline>`.
    public var topic: String?
    /// Largest record (key + value) the daemon writes: the broker's and producer's `message.max.bytes`.
    public var maxMessageBytes = 1_000_000

    public init(enabled: Bool = false, topic: String? = nil, maxMessageBytes: Int = 1_000_000) {
        self.enabled = enabled
        self.topic = topic
        self.maxMessageBytes = maxMessageBytes
    }

    public func topic(pipeline: String) -> String { topic ?? "shannon-state-\(pipeline)" }
}

extension SpecBuilder {
    func changelog(_ node: Node) -> ChangelogSpec {
        var spec = ChangelogSpec()
        guard let entries = reader.mapping(node, "checkpoint.changelog") else { return spec }
        let keys = reader.checkKeys(entries, allowed: ["enabled", "topic", "max_message_bytes"], in: "checkpoint.changelog")
        // Naming the block turns it on unless it says otherwise.
        spec.enabled = true
        if let n = keys["enabled"]?.value, let v = reader.bool(n, "enabled") { spec.enabled = v }
        if let n = keys["topic"]?.value, let v = reader.string(n, "topic") { spec.topic = v }
        if let n = keys["max_message_bytes"]?.value, let v = reader.int(n, "max_message_bytes", min: 1024) {
            spec.maxMessageBytes = v
        }
        return spec
    }
}
