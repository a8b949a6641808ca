/// Mean surprisal of tokens from their log-probabilities: the cross-entropy rate of a model's
/// output, −mean(log p), reported in bits per token, with the standard error of that mean.
///
/// Welford's update keeps mean and spread numerically stable over long streams; O(1) per token.
public struct SurprisalRate: Sendable, Equatable {
    /// Tokens accumulated.
    public private(set) var count = 0
    /// Mean surprisal in nats per token.
    public private(set) var meanNats = 0.0
    var m2 = 0.0

    public init() {}

    /// Adds one token's natural-log probability (≤ 0). Non-finite values are ignored and
    /// reported through the return value (`false`), so one bad record cannot poison the mean.
    @discardableResult
    public mutating func add(logProbability lp: Double) -> Bool {
        guard lp.isFinite else { return false }
        let x = -lp
        count += 1
        let d = x - meanNats
        meanNats += d / Double(count)
        m2 += d * (x - meanNats)
        return true
    }

    /// Adds one token's base-2 log-probability.
    @discardableResult
    public mutating func add(log2Probability lp: Double) -> Bool {
        add(logProbability: lp * EntropyMath.ln2)
    }

    /// Mean surprisal, bits per token.
    public var bitsPerToken: Double { meanNats / EntropyMath.ln2 }
    /// Standard error of the mean surprisal, bits per token (0 below two tokens).
    public var seBits: Double {
        guard count > 1 else { return 0 }
        return (m2 / Double(count - 1) / Double(count)).squareRoot() / EntropyMath.ln2
    }

    public mutating func reset() { self = SurprisalRate() }
}

extension SurprisalRate: StateCodable {
    public static let stateTag = StateTag("SURP")

    public func encode(to w: inout StateWriter) {
        w.beginRecord(Self.stateTag, version: 1)
        w.write(count)
        w.write(meanNats)
        w.write(m2)
        w.endRecord()
    }

    public init(from r: inout StateReader) throws {
        try r.beginRecord(Self.stateTag, supported: 1...1)
        let count = try r.readCount()
        let mean = try r.readDouble()
        let m2 = try r.readDouble()
        try r.endRecord()
        guard mean.isFinite, m2.isFinite, m2 >= 0, mean >= 0 || count == 0,
              count > 0 || (mean == 0 && m2 == 0)
        else { throw StateDecodingError.invalid("surprisal moments inconsistent") }
        self.count = count
        self.meanNats = mean
        self.m2 = m2
    }
}
