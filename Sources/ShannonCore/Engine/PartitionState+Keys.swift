extension PartitionState {
    /// The number of keys each stage holds state for in this partition, in the file's stage
    /// order: what a `key_by` costs in memory, for the daemon's `shannon_keys_held` gauge.
    ///
    /// A dictionary count per stage, so cheap enough to read once a second; not for the
    /// per-record path.
    public var keysHeld: [Int] {
        stages.map { runner in
            switch runner {
            case let .psi(r): r.keys.count
            case let .iv(r): r.keys.count
            case let .groupDivergence(r): r.keys.count
            case let .entropy(r): r.keys.count
            case let .jsDivergence(r): r.keys.count
            case let .boundary(r): r.keys.count
            }
        }
    }
}
