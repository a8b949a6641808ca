import ShannonCore

/// What the report knows of a stage's alert rule: from its pipeline file when one is given
/// (`--pipeline`), else only what the alerts themselves carry (threshold, baseline).
public struct StageRule: Equatable, Sendable {
    /// The figure the rule reads (nil: the stage's headline).
    public var metric: String?
    public var threshold: Double?
    public var isZScore: Bool
    public var direction: AlertPolicy.Direction
    public var z: Double
    public var baselineAlpha: Double
    public var baselineMinWindows: Int
    /// Entropy windows with fewer tokens are not judged (and do not join the baseline).
    public var minTokens: Int?

    public init(metric: String? = nil, threshold: Double? = nil, isZScore: Bool = false,
                direction: AlertPolicy.Direction = .both, z: Double = 3, baselineAlpha: Double = 0.1,
                baselineMinWindows: Int = 5, minTokens: Int? = nil) {
        self.metric = metric
        self.threshold = threshold
        self.isZScore = isZScore
        self.direction = direction
        self.z = z
        self.baselineAlpha = baselineAlpha
        self.baselineMinWindows = baselineMinWindows
        self.minTokens = minTokens
    }

    /// The rule of a stage's `alert:` block, nil when the stage has none.
    public init?(_ stage: StageSpec) {
        guard let a = stage.alert else { return nil }
        var minTokens: Int?
        if case let .entropy(p) = stage.params { minTokens = p.minTokens }
        self.init(metric: a.metric, threshold: a.when == .threshold || a.when == .both ? a.threshold : nil,
                  isZScore: a.when == .zscore, direction: AlertPolicy.Direction(rawValue: a.direction.rawValue) ?? .both,
                  z: a.z, baselineAlpha: a.baseline.alpha, baselineMinWindows: a.baseline.minWindows, minTokens: minTokens)
    }
}

/// The known rules, by pipeline and stage.
public struct StageRules: Sendable {
    private var rules: [String: StageRule] = [:]

    public init() {}

    public init(specs: [PipelineSpec]) {
        for spec in specs {
            for stage in spec.stages { if let r = StageRule(stage) { set(r, pipeline: spec.name, stage: stage.id) } }
        }
    }

    public mutating func set(_ rule: StageRule, pipeline: String, stage: String) {
        rules[pipeline + "\u{0}" + stage] = rule
    }

    public func rule(pipeline: String, stage: String) -> StageRule? { rules[pipeline + "\u{0}" + stage] }
}

/// Replays a z-score rule's EWMA baseline over a series' windows with the project's own
/// `AlertRuleState`, so the band drawn is the one the rule judged against (mean ± z·sd before
/// each window joins it). Windows carry no baseline; alerts do, and are used to check the replay.
struct BaselineReplay {
    private var state = AlertRuleState()
    private let policy: AlertPolicy
    let minTokens: Int?
    let z: Double
    /// Where the parameters came from, for the note under the chart.
    let source: String

    init(rule: StageRule?, alerts: [Alert]) {
        var z = rule?.z ?? 3
        var source = "pipeline file"
        if rule == nil {
            source = "defaults (no --pipeline given)"
            // A z-score alert's threshold is mean ± z·sd: the limit is recoverable from any of them.
            for a in alerts where a.rule == "zscore" {
                if let t = a.threshold, let m = a.detail["baseline"]?["mean"]?.doubleValue,
                   let sd = a.detail["baseline"]?["sd"]?.doubleValue, sd > 0, sd.isFinite {
                    z = abs(t - m) / sd
                    source = "defaults, z from the alerts (no --pipeline given)"
                    break
                }
            }
        }
        self.z = z
        self.minTokens = rule?.minTokens
        self.source = source
        policy = AlertPolicy(rule: .zscore, direction: rule?.direction ?? .both, z: z,
                             baselineAlpha: rule?.baselineAlpha ?? 0.1, baselineMinWindows: rule?.baselineMinWindows ?? 5,
                             cooldown: 0, resolve: true)
    }

    var alpha: Double { policy.baselineAlpha }
    var minWindows: Int { policy.baselineMinWindows }

    /// The band for a window with metric `value` (nil until the baseline has enough windows),
    /// then lets the window join the baseline as the rule would.
    mutating func step(_ value: Double, tokens: Double?) -> (mean: Double, low: Double, high: Double)? {
        if let minTokens, let tokens, tokens < Double(minTokens) { return nil } // the rule never saw it
        var band: (Double, Double, Double)?
        if state.baselineWindows >= policy.baselineMinWindows {
            let sd = state.baselineVariance.squareRoot()
            band = (state.baselineMean, state.baselineMean - z * sd, state.baselineMean + z * sd)
        }
        _ = state.evaluate(MetricReading(value: value), policy: policy)
        return band
    }
}

/// Says how the replayed baseline was made and whether it matches the baselines the alerts
/// carry: a mismatch means the parameters (or the windows) are not the ones the rule saw.
enum BaselineCheck {
    static func note(_ replay: BaselineReplay, points: [SeriesPoint], positions: [WindowKey: Int], alerts: [Alert]) -> String {
        var text = "Baseline: EWMA replayed over the windows (α = \(Format.number(replay.alpha)), "
            + "\(replay.minWindows) windows before the first band, band = mean ± \(Format.number(replay.z))σ; \(replay.source))."
        var compared = 0
        var worst = 0.0
        for a in alerts {
            guard let mean = a.detail["baseline"]?["mean"]?.doubleValue, let at = positions[WindowKey(a.window)] else { continue }
            guard let replayed = points[at].baseline else { worst = .infinity; compared += 1; continue }
            compared += 1
            worst = max(worst, abs(replayed - mean) / max(abs(mean), 1e-12))
        }
        if compared == 0 { return text }
        if worst <= 1e-6 {
            text += " It matches the baseline of all \(compared) alert(s) that carry one."
        } else {
            text += " It differs from the baseline the alerts carry (worst relative gap \(worst.isFinite ? Format.number(worst) : "no band")):"
                + " pass the pipeline file with --pipeline, or the input is missing windows."
        }
        return text
    }
}
