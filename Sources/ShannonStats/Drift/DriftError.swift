/// Why a drift estimator could not be built from what it was given.
public enum DriftError: Error, Equatable, CustomStringConvertible {
    /// Edges must be finite and strictly increasing.
    case invalidEdges(String)
    /// A reference sample had no finite value to take quantiles from.
    case emptyReference
    /// The requested number of bins is below 1.
    case invalidBinCount(Int)
    /// A count vector does not have one entry per bin, or holds a negative / non-finite count.
    case invalidCounts(String)

    public var description: String {
        switch self {
        case let .invalidEdges(why): "invalid bin edges: \(why)"
        case .emptyReference: "the reference sample has no finite value"
        case let .invalidBinCount(n): "number of bins must be at least 1, got \(n)"
        case let .invalidCounts(why): "invalid counts: \(why)"
        }
    }
}
