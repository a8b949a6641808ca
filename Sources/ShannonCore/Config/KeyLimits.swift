import Yams

/// How many keys one stage may hold in one partition, and when a key counts as idle: the
/// stage's `keys:` block. Without it a `key_by` field of unbounded cardinality (a user id, a
/// session) would grow the state, the checkpoint and the changelog without end.
///
/// Neither value enters the stage's fingerprint: they decide which keys stay, not what a key's
/// state means, so changing them keeps the checkpointed keys.
public struct KeyLimits: Sendable, Equatable {
    /// When a key is idle: no record of it for so long, in event time or in records.
    public enum IdleTimeout: Sendable, Equatable {
        /// No record of the key while the stage's event time advanced this far (milliseconds).
        case eventTime(ms: Int64)
        /// No record of the key among this many records of the stage's partition.
        case records(Int)
    }

    /// The default cap: large enough that no example pipeline comes near it, small enough that
    /// a stage of a few hundred bytes per key stays within tens of MiB per partition.
    public static let defaultMax = 100_000

    /// Keys held at most; a new key beyond it evicts the least recently used one.
    public var max: Int = defaultMax
    /// nil: keys are evicted only by the cap.
    public var idleTimeout: IdleTimeout?

    public init(max: Int = defaultMax, idleTimeout: IdleTimeout? = nil) {
        self.max = max
        self.idleTimeout = idleTimeout
    }
}

extension SpecBuilder {
    /// `keys: { max: 100000, idle_timeout: 1h }`. An idle timeout with a unit (`30s`, `1h`) is
    /// event time; a bare integer is a count of records (of the stage's partition).
    func keyLimits(_ node: Node) -> KeyLimits? {
        guard let entries = reader.mapping(node, "keys") else { return nil }
        let keys = reader.checkKeys(entries, allowed: ["max", "idle_timeout"], in: "a stage's `keys`")
        var limits = KeyLimits()
        if let m = keys["max"]?.value {
            guard let max = reader.int(m, "keys.max", min: 1) else { return nil }
            limits.max = max
        }
        if let t = keys["idle_timeout"]?.value {
            guard let timeout = idleTimeout(t) else { return nil }
            limits.idleTimeout = timeout
        }
        return limits
    }

    private func idleTimeout(_ node: Node) -> KeyLimits.IdleTimeout? {
        // A plain integer is a record count; anything else must be a duration with a unit.
        if case let .scalar(s) = node, s.style == .plain || s.style == .any, let n = Int(s.string) {
            guard n >= 1 else {
                reader.error(node.mark, "`keys.idle_timeout` must be ≥ 1 record, found \(n)",
                             hint: "write a count of records (10000) or an event-time duration (30m, 1h)")
                return nil
            }
            return .records(n)
        }
        guard case let .scalar(s) = node, s.string.contains(where: \.isLetter) else {
            reader.error(node.mark, "`keys.idle_timeout`: expected a count of records or a duration",
                         hint: "write a count of records (10000) or an event-time duration (30m, 1h)")
            return nil
        }
        guard let ms = reader.durationMs(node, "keys.idle_timeout") else { return nil }
        guard ms > 0 else {
            reader.error(node.mark, "`keys.idle_timeout` must be a positive duration")
            return nil
        }
        return .eventTime(ms: ms)
    }
}
