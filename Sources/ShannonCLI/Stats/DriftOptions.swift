import ShannonCore
import ArgumentParser
import ShannonStats

/// Options shared by `stats psi` and `stats iv`: how to bin, smooth and report.
struct DriftOptions: ParsableArguments {
    @Option(help: "Number of quantile bins taken from the reference data (ties can leave fewer).")
    var bins: Int = 10

    @Option(help: ArgumentHelp("Explicit interior bin edges instead of quantiles, comma-separated and increasing (write --edges=-1,0,1 when the first is negative).",
                               valueName: "a,b,…"))
    var edges: String?

    @Option(help: "Additive smoothing a of every bin count (0 allowed: an empty bin then makes the divergence infinite).")
    var smoothing: Double = 0.5

    @Option(help: "Confidence level of the interval estimate ± z·SE.")
    var confidence: Double = 0.95

    @Flag(help: "Count missing / non-numeric values in their own bin instead of skipping them as bad records.")
    var missingBin = false

    @Option(help: "Output format: json, csv or table.")
    var format: OutputFormat = .json

    func validate() throws {
        guard smoothing >= 0, smoothing.isFinite else { throw ValidationError("--smoothing must be ≥ 0") }
        guard confidence > 0, confidence < 1 else { throw ValidationError("--confidence must lie in (0, 1)") }
        guard bins >= 1 else { throw ValidationError("--bins must be at least 1") }
    }

    /// Explicit edges when given, otherwise quantile edges of `sample`.
    func binning(from sample: [Double]) throws -> Binning {
        if let edges {
            let values = try edges.split(separator: ",").map { part -> Double in
                guard let v = Double(part.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--edges: '\(part)' is not a number")
                }
                return v
            }
            return try Binning(edges: values, missingBin: missingBin)
        }
        return try Binning(quantilesOf: sample, bins: bins, missingBin: missingBin)
    }
}

/// The figures every drift result shares, in the JSON key order of the commands' output.
func headline(_ name: String, _ t: JeffreysTest) -> [(String, JSONValue)] {
    [(name, .number(t.divergence)), ("se", .number(t.se)), ("se_delta", .number(t.seDelta)),
     ("ci_low", .number(t.ciLow)), ("ci_high", .number(t.ciHigh)), ("confidence", .number(t.confidence)),
     ("statistic", .number(t.statistic)), ("df", .integer(t.degreesOfFreedom)), ("p_value", .number(t.pValue)),
     ("smoothing", .number(t.smoothing))]
}

/// An edge for output: ∓inf as strings, NaN (missing bin) as null.
func edgeValue(_ e: Double) -> JSONValue { e.isNaN ? .null : .number(e) }
