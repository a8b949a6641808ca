/// Entropy over windows of W tokens of one stream: tumbling (disjoint windows) or sliding
/// (the last W tokens, a result every `hop` tokens).
///
/// The sliding window keeps a ring buffer of the last W ids (allocated once at init) and, per
/// token, adds the new id and removes the one leaving: O(1) per token, no allocation once the
/// counter's table has grown to the window's vocabulary.
public struct TokenWindow: Sendable {
    public enum Kind: Sendable, Equatable {
        /// Disjoint windows of W tokens; counts restart after each.
        case tumbling
        /// The last W tokens; a result is due when the window first fills, then every `hop` tokens.
        case sliding(hop: Int)
    }

    public let size: Int
    public let kind: Kind
    public internal(set) var counter: TokenCounter
    /// Ring of the ids in the window (sliding only), oldest at `head` once full.
    var ring: [UInt64]
    /// Whether each ring entry was folded into `other` when added.
    var folded: [Bool]
    var head = 0
    var filled = 0
    var sinceEmit = 0
    var resetPending = false
    /// Tokens seen since the start of the stream.
    public internal(set) var position = 0

    /// - Parameters:
    ///   - size: W, tokens per window (≥ 1).
    ///   - kind: tumbling or sliding with a hop (1 ≤ hop).
    ///   - maxDistinct: cap on distinct tokens per window (see `TokenCounter`).
    public init(size: Int, kind: Kind = .tumbling, maxDistinct: Int = 1 << 16) {
        precondition(size >= 1, "window size must be at least 1")
        if case let .sliding(hop) = kind { precondition(hop >= 1, "hop must be at least 1") }
        self.size = size
        self.kind = kind
        counter = TokenCounter(maxDistinct: maxDistinct, initialCapacity: Swift.min(size, 1024))
        let ringSize = kind == .tumbling ? 0 : size
        ring = [UInt64](repeating: 0, count: ringSize)
        folded = [Bool](repeating: false, count: ringSize)
    }

    /// Tokens in the current window.
    public var count: Int { resetPending ? 0 : counter.total }

    /// Adds one token. - Returns: `true` when a window is complete: read `result()` before the
    /// next `add`.
    @discardableResult
    public mutating func add(_ id: UInt64) -> Bool {
        position += 1
        switch kind {
        case .tumbling:
            if resetPending {
                // Each tumbling window starts from exact zeros: S is exact at every boundary.
                counter.removeAll()
                resetPending = false
            }
            counter.add(id)
            if counter.total == size {
                resetPending = true
                return true
            }
            return false
        case let .sliding(hop):
            if filled == size {
                counter.remove(ring[head], folded: folded[head])
            } else {
                filled += 1
            }
            let kept = counter.add(id)
            ring[head] = id
            folded[head] = !kept
            head += 1
            if head == size { head = 0 }
            if filled < size { return false }
            if position == size { return true } // the window has just filled
            sinceEmit += 1
            if sinceEmit == hop {
                sinceEmit = 0
                return true
            }
            return false
        }
    }

    /// The estimates for the current (or just completed) window.
    public func result(vocabularySize: Int? = nil) -> EntropyResult {
        counter.result(vocabularySize: vocabularySize)
    }

    /// Recomputes the running sums exactly (also done every 2^20 updates).
    public mutating func recount() { counter.recount() }
}
