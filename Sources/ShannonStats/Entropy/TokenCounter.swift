#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts of token ids with the running sums the entropy estimators need, all updated in O(1).
///
/// Storage is an open-addressing table (linear probing, backward-shift deletion, so no
/// tombstones) that only grows while the number of distinct tokens grows: in a steady sliding
/// window no update allocates. Alongside the counts it keeps N, K, f1 (singletons, for
/// Chao–Shen) and S = Σ c ln c, so the plug-in and Miller–Madow estimates cost O(1).
///
/// Memory is bounded by `maxDistinct`: once that many distinct tokens are held, unseen tokens
/// are folded into one `other` bucket (which then counts as one more token) and `capHit` stays
/// set, so the stage can report it once instead of growing without bound.
public struct TokenCounter: Sendable {
    @usableFromInline var keys: [UInt64]
    /// 0 marks an empty slot.
    @usableFromInline var counts: [Int]
    @usableFromInline var mask: Int
    /// Distinct tokens held in the table (not counting `other`).
    public internal(set) var tableDistinct: Int = 0
    /// N: all tokens counted, `other` included.
    public internal(set) var total: Int = 0
    /// Tokens folded into the `other` bucket because the cap was reached.
    public internal(set) var otherCount: Int = 0
    /// f1: tokens (the `other` bucket included) seen exactly once.
    public internal(set) var singletons: Int = 0
    /// S = Σ c ln c over all buckets, kept incrementally.
    public internal(set) var sumCLogC: Double = 0
    /// The most distinct tokens the table will hold.
    public let maxDistinct: Int
    /// Set once a token had to be folded into `other`; survives `removeAll()`.
    public internal(set) var capHit: Bool = false
    var updatesSinceRecount: Int = 0

    /// S is recomputed exactly after this many updates, bounding floating drift on long runs.
    public static let recountInterval = 1 << 20

    /// - Parameters:
    ///   - maxDistinct: cap on distinct tokens held (≥ 1); further tokens go to `other`.
    ///   - initialCapacity: distinct tokens to make room for up front (the table grows beyond it).
    public init(maxDistinct: Int = 1 << 16, initialCapacity: Int = 16) {
        precondition(maxDistinct >= 1, "maxDistinct must be at least 1")
        self.maxDistinct = maxDistinct
        let cap = Self.tableSize(for: min(max(initialCapacity, 4), maxDistinct))
        keys = [UInt64](repeating: 0, count: cap)
        counts = [Int](repeating: 0, count: cap)
        mask = cap - 1
    }

    /// Table size keeping the load at or below one half.
    static func tableSize(for distinct: Int) -> Int {
        var n = 8
        while n < 2 * distinct { n <<= 1 }
        return n
    }

    /// K: distinct buckets with a non-zero count (`other` counts as one).
    @inlinable public var distinct: Int { tableDistinct + (otherCount > 0 ? 1 : 0) }

    @inline(__always) @usableFromInline
    static func home(_ id: UInt64, _ mask: Int) -> Int {
        // Fibonacci hashing: ids may be small integers or structured, so mix before masking.
        Int(truncatingIfNeeded: (id &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The count of one token (0 if absent; folded occurrences are not attributed).
    public func count(of id: UInt64) -> Int {
        var i = Self.home(id, mask)
        while counts[i] != 0 {
            if keys[i] == id { return counts[i] }
            i = (i + 1) & mask
        }
        return 0
    }

    @inline(__always) mutating func moved(from c: Int, to d: Int) {
        sumCLogC += EntropyMath.xLogX(d) - EntropyMath.xLogX(c)
        if c == 1 { singletons -= 1 }
        if d == 1 { singletons += 1 }
    }

    @inline(__always) mutating func tick() {
        updatesSinceRecount += 1
        if updatesSinceRecount >= Self.recountInterval { recount() }
    }

    /// Counts one token. - Returns: `false` when it was folded into `other` (the cap is full).
    ///
    /// Plain array subscripts rather than `withUnsafeMutableBufferPointer` closures: optimised
    /// builds compile both to the same loads, and unoptimised (test) builds run several times
    /// faster without the generic closure machinery.
    @discardableResult
    public mutating func add(_ id: UInt64) -> Bool {
        total += 1
        defer { tick() }
        let m = mask
        var i = Int(truncatingIfNeeded: (id &* 0x9E37_79B9_7F4A_7C15) >> 32) & m
        while true {
            let c = counts[i]
            if c == 0 { break }
            if keys[i] == id {
                counts[i] = c + 1
                sumCLogC += EntropyMath.xLogX(c + 1) - EntropyMath.xLogX(c)
                if c == 1 { singletons -= 1 }
                return true
            }
            i = (i + 1) & m
        }
        if tableDistinct < maxDistinct {
            if 2 * (tableDistinct + 1) <= counts.count {
                keys[i] = id
                counts[i] = 1
                tableDistinct += 1
                singletons += 1
            } else {
                grow()
                insertNew(id)
            }
            return true
        }
        capHit = true
        let o = otherCount
        otherCount = o + 1
        moved(from: o, to: o + 1)
        return false
    }

    private mutating func insertNew(_ id: UInt64) {
        var i = Self.home(id, mask)
        while counts[i] != 0 { i = (i + 1) & mask }
        keys[i] = id
        counts[i] = 1
        tableDistinct += 1
        singletons += 1
        // sumCLogC: 1 ln 1 = 0
    }

    private mutating func grow() {
        let oldKeys = keys, oldCounts = counts
        let size = counts.count * 2
        keys = [UInt64](repeating: 0, count: size)
        counts = [Int](repeating: 0, count: size)
        mask = size - 1
        for j in 0..<oldCounts.count where oldCounts[j] != 0 {
            var i = Self.home(oldKeys[j], mask)
            while counts[i] != 0 { i = (i + 1) & mask }
            keys[i] = oldKeys[j]
            counts[i] = oldCounts[j]
        }
    }

    /// Removes one occurrence (the sliding window's oldest token).
    /// - Parameter folded: whether that occurrence was folded into `other` when it was added
    ///   (what `add` returned, negated).
    public mutating func remove(_ id: UInt64, folded: Bool) {
        precondition(total > 0, "remove from an empty counter")
        total -= 1
        defer { tick() }
        if folded {
            precondition(otherCount > 0, "no folded token to remove")
            let old = otherCount
            otherCount = old - 1
            moved(from: old, to: old - 1)
            return
        }
        let m = mask
        var i = Int(truncatingIfNeeded: (id &* 0x9E37_79B9_7F4A_7C15) >> 32) & m
        while true {
            precondition(counts[i] != 0, "removing a token that was never counted")
            if keys[i] == id { break }
            i = (i + 1) & m
        }
        let old = counts[i]
        sumCLogC += EntropyMath.xLogX(old - 1) - EntropyMath.xLogX(old)
        if old == 1 { singletons -= 1 }
        if old == 2 { singletons += 1 }
        if old > 1 {
            counts[i] = old - 1
            return
        }
        // Backward-shift deletion keeps every probe chain unbroken without tombstones.
        counts[i] = 0
        tableDistinct -= 1
        var hole = i
        var j = i
        while true {
            j = (j + 1) & m
            let c = counts[j]
            if c == 0 { break }
            let h = Self.home(keys[j], m)
            let stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j)
            if stays { continue }
            keys[hole] = keys[j]
            counts[hole] = c
            counts[j] = 0
            hole = j
        }
    }

    /// Recomputes S and f1 exactly from the counts (done automatically every `recountInterval`).
    public mutating func recount() {
        let (s, f1) = exactSums()
        sumCLogC = s
        singletons = f1
        updatesSinceRecount = 0
    }

    /// S and f1 summed from scratch (for checks and benchmarks).
    public func exactSums() -> (sumCLogC: Double, singletons: Int) {
        var s = EntropyMath.xLogX(otherCount)
        var f1 = otherCount == 1 ? 1 : 0
        for c in counts where c != 0 {
            s += EntropyMath.xLogX(c)
            if c == 1 { f1 += 1 }
        }
        return (s, f1)
    }

    /// Forgets every count but keeps the table's capacity (and `capHit`).
    public mutating func removeAll() {
        for i in counts.indices { counts[i] = 0 }
        tableDistinct = 0
        total = 0
        otherCount = 0
        singletons = 0
        sumCLogC = 0
        updatesSinceRecount = 0
    }

    /// Calls `body` with every held token and its count, in table order (then `other`, if any,
    /// with `nil` as id).
    public func forEachCount(_ body: (UInt64?, Int) -> Void) {
        for i in counts.indices where counts[i] != 0 { body(keys[i], counts[i]) }
        if otherCount > 0 { body(nil, otherCount) }
    }
}
