import ShannonCore
import ArgumentParser
import ShannonStats

/// Detector options of `stats boundaries`; every default is the library's
/// `BoundaryParameters.default` (docs/statistics-entropy-boundaries.md).
struct BoundaryOptions: ParsableArguments {
    @Option(help: "Anticipator: last, mean, ewma or linear (default linear).") var anticipator: String?
    @Option(help: "Context length L for mean and linear (default 20).") var length: Int?
    @Option(help: "EWMA factor (weight of the newest vector, default 0.3).") var ewmaAlpha: Double?
    @Option(help: "Prediction error: abs (standardised absolute), squared (standardised squared), or cosine (default abs).") var error: String?
    @Option(help: "Gaussian test threshold on z (default 5).") var tau: Double?
    @Option(help: "Use the Student-t test at this level instead of the z threshold.") var tAlpha: Double?
    @Option(help: "Errors held before any test (default 20).") var nMin: Int?
    @Option(help: "Most errors held in the memory (default 512).") var kMax: Int?
    @Option(help: "Floor on sigma in the test (default 1).") var sigmaFloor: Double?
    @Option(help: "Refractory gap: records after a boundary with no boundary (default 0).") var gap: Int?
    @Option(help: "Unit of a standardised error: rms or mean-abs of first differences (default mean-abs).") var scale: String?
    @Option(help: "CUSUM drift subtracted from each z (default 0.5).") var cusumDrift: Double?
    @Option(help: "CUSUM threshold; 0 turns the CUSUM off (default 8).") var cusumThreshold: Double?

    func parameters() throws -> BoundaryParameters {
        var p = BoundaryParameters.default
        let defaultLength: Int
        switch p.anticipator {
        case let .mean(l), let .linear(l): defaultLength = l
        default: defaultLength = 5
        }
        let l = length ?? defaultLength
        switch anticipator {
        case nil: if length != nil {
            switch p.anticipator {
            case .mean: p.anticipator = .mean(length: l)
            case .linear: p.anticipator = .linear(length: l)
            default: break
            }
        }
        case "last": p.anticipator = .last
        case "mean": p.anticipator = .mean(length: l)
        case "ewma": p.anticipator = .ewma(alpha: ewmaAlpha ?? 0.3)
        case "linear": p.anticipator = .linear(length: l)
        case let other?: throw ValidationError("unknown anticipator '\(other)' (last, mean, ewma, linear)")
        }
        switch error {
        case nil: break
        case "abs": p.error = .standardisedAbsolute
        case "squared": p.error = .standardisedSquared
        case "cosine": p.error = .cosine
        case let other?: throw ValidationError("unknown error '\(other)' (abs, squared, cosine)")
        }
        if let tAlpha { p.test = .studentT(alpha: tAlpha) } else if let tau { p.test = .gaussian(tau: tau) }
        if let nMin { p.nMin = nMin }
        if let kMax { p.kMax = kMax }
        if let sigmaFloor { p.sigmaFloor = sigmaFloor }
        if let gap { p.refractoryGap = gap }
        switch scale {
        case nil: break
        case "rms": p.scale = .rootMeanSquare
        case "mean-abs": p.scale = .meanAbsolute
        case let other?: throw ValidationError("unknown scale '\(other)' (rms, mean-abs)")
        }
        if cusumDrift != nil || cusumThreshold != nil {
            let h = cusumThreshold ?? p.cusum?.threshold ?? 8
            p.cusum = h > 0 ? Cusum(drift: cusumDrift ?? p.cusum?.drift ?? 0.5, threshold: h) : nil
        }
        if let problem = p.problem { throw ValidationError(problem) }
        return p
    }
}

extension BoundaryParameters {
    /// snake_case JSON of the parameters, for outputs that must say how they were produced.
    var json: JSONValue {
        var pairs: [(String, JSONValue)] = []
        switch anticipator {
        case .last: pairs.append(("anticipator", .string("last")))
        case let .mean(l): pairs += [("anticipator", .string("mean")), ("length", .integer(l))]
        case let .ewma(a): pairs += [("anticipator", .string("ewma")), ("ewma_alpha", .number(a))]
        case let .linear(l): pairs += [("anticipator", .string("linear")), ("length", .integer(l))]
        }
        switch error {
        case .cosine: pairs.append(("error", .string("cosine")))
        case .standardisedAbsolute: pairs.append(("error", .string("abs")))
        case .standardisedSquared: pairs.append(("error", .string("squared")))
        }
        switch test {
        case let .gaussian(tau): pairs.append(("tau", .number(tau)))
        case let .studentT(alpha): pairs.append(("t_alpha", .number(alpha)))
        }
        pairs += [("n_min", .integer(nMin)), ("k_max", .integer(kMax)), ("sigma_floor", .number(sigmaFloor)), ("gap", .integer(refractoryGap)),
                  ("scale", .string(scale == .rootMeanSquare ? "rms" : "mean-abs"))]
        if let cusum { pairs += [("cusum_drift", .number(cusum.drift)), ("cusum_threshold", .number(cusum.threshold))] }
        return .fields(pairs)
    }

    var summary: String {
        let a: String
        switch anticipator {
        case .last: a = "last"
        case let .mean(l): a = "mean(\(l))"
        case let .ewma(x): a = "ewma(\(x))"
        case let .linear(l): a = "linear(\(l))"
        }
        let e: String
        switch error {
        case .cosine: e = "cosine"
        case .standardisedAbsolute: e = "abs"
        case .standardisedSquared: e = "squared"
        }
        let t: String
        switch test {
        case let .gaussian(tau): t = "tau=\(tau)"
        case let .studentT(alpha): t = "t-alpha=\(alpha)"
        }
        let c = cusum.map { " cusum=\($0.drift)/\($0.threshold)" } ?? ""
        return "\(a) \(e) \(t) nMin=\(nMin) kMax=\(kMax) floor=\(sigmaFloor) gap=\(refractoryGap) "
            + "scale=\(scale == .rootMeanSquare ? "rms" : "mean-abs")\(c)"
    }
}

/// Runs a detector over rows of optional values (missing values carried forward per dimension by
/// the detector itself: they arrive as NaN).
func detectBoundaries(_ rows: [[Double?]], parameters: BoundaryParameters) -> [Boundary] {
    guard let d = rows.first?.count, d > 0 else { return [] }
    var detector = EventBoundaryDetector(dimension: d, parameters: parameters)
    var v = [Float](repeating: 0, count: d)
    var out: [Boundary] = []
    for row in rows {
        for i in 0..<d { v[i] = row[i].map { Float($0) } ?? .nan }
        if let b = v.withUnsafeBufferPointer({ detector.update($0) }) { out.append(b) }
    }
    return out
}
