/// The runtime form of a stage's `alert:` block (see docs/alerts.md for the full semantics).
public struct AlertPolicy: Equatable, Sendable {
    /// `when:` which condition fires.
    public enum Rule: String, Equatable, Sendable, CaseIterable {
        /// The metric crosses `threshold` in `direction`.
        case threshold
        /// The window's p-value is below `pValue` (direction is not used: the test carries its own sidedness).
        case significance
        /// Both of the above.
        case both
        /// The metric's z-score against an EWMA baseline of earlier windows crosses `z` in `direction`.
        case zscore
    }

    /// `direction:`
    public enum Direction: String, Equatable, Sendable, CaseIterable {
        case above, below, both
    }

    /// One `severity:` level: `level` applies from metric value `at` on (see `severity(for:)`).
    public struct SeverityLevel: Equatable, Sendable {
        public var level: String
        public var at: Double
    }

    public var rule: Rule
    /// Which figure of the stage's result the rule reads; nil means the stage's headline metric.
    public var metric: String?
    public var direction: Direction
    /// Required for `threshold` and `both`.
    public var threshold: Double?
    /// Significance level for `significance` and `both`.
    public var pValue: Double
    /// |z| limit for `zscore`.
    public var z: Double
    /// EWMA weight of the newest window in the baseline, in (0, 1].
    public var baselineAlpha: Double
    /// Windows the baseline must have seen before a z-score is computed (at least 2).
    public var baselineMinWindows: Int
    /// Levels by metric value; empty means one level, `warning`.
    public var severity: [SeverityLevel]
    /// Windows after a firing during which the same key cannot fire again.
    public var cooldown: Int
    /// Emit a `resolved` alert when a firing condition clears.
    public var resolve: Bool
    /// `for:` windows the condition must hold, pending, before the alert fires (Prometheus'
    /// `for`): the alert fires on the `forWindows + 1`-th consecutive window that meets it. 0
    /// fires on the first.
    public var forWindows: Int
    /// `keep_firing_for:` windows a firing alert keeps firing after its condition clears
    /// (Prometheus' `keep_firing_for`): it resolves on the `keepFiringFor + 1`-th consecutive
    /// clear window, so a condition that flaps off and on within them stays one firing.
    public var keepFiringFor: Int
    /// `labels:` copied into every alert of the stage (routing: team, service, runbook…).
    public var labels: [String: String]

    public init(rule: Rule, metric: String? = nil, direction: Direction = .above, threshold: Double? = nil,
                pValue: Double = 0.01, z: Double = 3, baselineAlpha: Double = 0.1, baselineMinWindows: Int = 5,
                severity: [SeverityLevel] = [], cooldown: Int = 0, resolve: Bool = true, forWindows: Int = 0,
                keepFiringFor: Int = 0, labels: [String: String] = [:]) {
        self.rule = rule
        self.metric = metric
        self.direction = direction
        self.threshold = threshold
        self.pValue = pValue
        self.z = z
        self.baselineAlpha = baselineAlpha
        self.baselineMinWindows = baselineMinWindows
        self.severity = severity
        self.cooldown = cooldown
        self.resolve = resolve
        self.forWindows = forWindows
        self.keepFiringFor = keepFiringFor
        self.labels = labels
    }

    /// The severity of a firing with metric `value`.
    ///
    /// `above` (and `both`, on |value|): the level with the largest `at <= value`.
    /// `below`: the level with the smallest `at >= value` (lower is worse, e.g. entropy collapse).
    /// A value that reaches no level gets the mildest one: the rule fired, so it is at least that.
    public func severity(for value: Double) -> String {
        guard !severity.isEmpty else { return "warning" }
        switch direction {
        case .above, .both:
            let v = direction == .both ? abs(value) : value
            let sorted = severity.sorted { $0.at < $1.at }
            return sorted.last { $0.at <= v }?.level ?? sorted[0].level
        case .below:
            let sorted = severity.sorted { $0.at > $1.at }
            return sorted.last { $0.at >= value }?.level ?? sorted[0].level
        }
    }
}

/// One closed window's figure for the metric a rule watches.
public struct MetricReading: Equatable, Sendable {
    public var value: Double
    /// Standard error of `value`, when the estimator has one.
    public var se: Double?
    public var pValue: Double?
    /// The test statistic behind `pValue` (e.g. the chi-square T of PSI).
    public var statistic: Double?
    public var ciLow: Double?
    public var ciHigh: Double?

    public init(value: Double, se: Double? = nil, pValue: Double? = nil, statistic: Double? = nil,
                ciLow: Double? = nil, ciHigh: Double? = nil) {
        self.value = value
        self.se = se
        self.pValue = pValue
        self.statistic = statistic
        self.ciLow = ciLow
        self.ciHigh = ciHigh
    }
}

/// `firing` or `resolved`.
public enum AlertState: String, Equatable, Sendable {
    case firing, resolved
}

/// What a rule decided for one window (nil from `AlertRuleState.evaluate` means: say nothing).
public struct AlertDecision: Equatable, Sendable {
    public var state: AlertState
    /// For `resolved`, the severity of the firing it resolves.
    public var severity: String
    public var rule: AlertPolicy.Rule
    /// The bound the value was compared with: `threshold` (threshold, both), the p-value level
    /// (significance), or for zscore the metric value at ±z baseline SDs on the side crossed.
    public var threshold: Double?
    /// Baseline of earlier windows (EWMA), once it has `min_windows` windows; else nil.
    public var baselineMean: Double?
    public var baselineSD: Double?
    /// (value − baselineMean) / baselineSD, when the baseline is ready.
    public var z: Double?
    /// The policy's `labels:`, for the alert.
    public var labels: [String: String]

    public init(state: AlertState, severity: String, rule: AlertPolicy.Rule, threshold: Double?,
                baselineMean: Double?, baselineSD: Double?, z: Double?, labels: [String: String] = [:]) {
        self.state = state
        self.severity = severity
        self.rule = rule
        self.threshold = threshold
        self.baselineMean = baselineMean
        self.baselineSD = baselineSD
        self.z = z
        self.labels = labels
    }
}
