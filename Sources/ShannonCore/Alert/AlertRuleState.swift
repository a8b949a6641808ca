import ShannonStats

/// The alert lifecycle of one (stage, key): a value type that lives in the partition's state and
/// is checkpointed with it, so a restart neither repeats nor forgets a firing.
///
/// Lifecycle, one call per closed window:
///
///     quiet ──condition true (and not in cooldown)──► firing   → returns a `firing` decision
///     firing ──condition still true──► firing                  → returns nil (one alert, not one per window)
///     firing ──condition false──► quiet                         → returns `resolved` if policy.resolve, else nil
///
/// With `for: N` (Prometheus' pending state) a quiet key whose condition holds is *pending*
/// and fires only on the (N+1)-th consecutive window that meets it; a window that does not
/// meet it sends the key back to quiet, silently. With `keep_firing_for: M` a firing key whose
/// condition clears keeps firing, silently, and resolves only on the (M+1)-th consecutive clear
/// window; a window that meets the condition again within them continues the same firing. Both
/// 0 (the defaults) give the lifecycle above exactly.
///
/// Cooldown: after a firing, the next `cooldown` windows cannot start a new firing (they can
/// still resolve the current one). A condition still true when the cooldown ends fires then.
///
/// Baseline: an EWMA mean and variance of earlier windows' values (the current window is scored
/// against the baseline *before* it joins it). Non-finite values do not join the baseline, and
/// neither do windows a z-score rule finds anomalous (the baseline learns only normal windows).
/// A z-score exists once `baselineMinWindows` windows are in; a baseline SD of 0 gives z = ±inf
/// for any different value (a perfectly constant metric that moves is news).
public struct AlertRuleState: Equatable, Sendable, StateCodable {
    public private(set) var firing = false
    /// Severity of the current firing (reported again by its `resolved`).
    public private(set) var firingSeverity = ""
    /// Windows left during which no new firing may start.
    public private(set) var cooldownLeft = 0
    /// Consecutive windows meeting the condition while not firing (`for:`).
    public private(set) var pendingWindows = 0
    /// Consecutive windows with the condition clear while firing (`keep_firing_for:`).
    public private(set) var clearWindows = 0
    /// Windows in the baseline.
    public private(set) var baselineWindows = 0
    public private(set) var baselineMean = 0.0
    public private(set) var baselineVariance = 0.0

    static let tag = StateTag("ALRT")

    public init() {}

    /// Scores one closed window; returns a decision to publish, or nil.
    /// A NaN value (an undefined figure, e.g. an empty window) says nothing: no decision, and the
    /// lifecycle, cooldown and baseline stay as they were.
    public mutating func evaluate(_ reading: MetricReading, policy: AlertPolicy) -> AlertDecision? {
        let value = reading.value
        if value.isNaN { return nil }
        var mean: Double?
        var sd: Double?
        var z: Double?
        if baselineWindows >= policy.baselineMinWindows {
            let s = baselineVariance.squareRoot()
            mean = baselineMean
            sd = s
            let d = value - baselineMean
            z = s > 0 ? d / s : (d == 0 ? 0 : (d > 0 ? .infinity : -.infinity))
        }
        let (condition, bound) = Self.condition(reading, policy: policy, z: z, mean: mean, sd: sd)
        // A window judged anomalous against the baseline does not join it: otherwise a long
        // episode (an entropy collapse lasting many windows) teaches the baseline that it is
        // normal and "resolves" while still going on.
        if !(policy.rule == .zscore && condition) { updateBaseline(value, alpha: policy.baselineAlpha) }

        let canFire = cooldownLeft == 0
        if cooldownLeft > 0 { cooldownLeft -= 1 }

        if firing {
            if condition {
                clearWindows = 0
                return nil
            }
            clearWindows += 1
            if clearWindows <= policy.keepFiringFor { return nil }
            firing = false
            clearWindows = 0
            guard policy.resolve else { return nil }
            return AlertDecision(state: .resolved, severity: firingSeverity, rule: policy.rule, threshold: bound,
                                 baselineMean: mean, baselineSD: sd, z: z, labels: policy.labels)
        }
        guard condition else {
            pendingWindows = 0
            return nil
        }
        // Saturates: a condition true for longer than `for:` (held back by a cooldown) stays ready.
        pendingWindows = min(pendingWindows + 1, policy.forWindows + 1)
        guard pendingWindows > policy.forWindows, canFire else { return nil }
        pendingWindows = 0
        firing = true
        firingSeverity = policy.severity(for: value)
        cooldownLeft = policy.cooldown
        return AlertDecision(state: .firing, severity: firingSeverity, rule: policy.rule, threshold: bound,
                             baselineMean: mean, baselineSD: sd, z: z, labels: policy.labels)
    }

    /// The key leaves the stage's state (evicted, Stages/StageRunner+Keys.swift) while firing:
    /// no window of it will be judged again, so the firing ends here. Returns the `resolved`
    /// decision to publish (nil when not firing, or when the policy sends no `resolved`).
    public mutating func resolveForEviction(policy: AlertPolicy) -> AlertDecision? {
        guard firing else { return nil }
        firing = false
        clearWindows = 0
        guard policy.resolve else { return nil }
        return AlertDecision(state: .resolved, severity: firingSeverity, rule: policy.rule, threshold: policy.threshold,
                             baselineMean: nil, baselineSD: nil, z: nil, labels: policy.labels)
    }

    /// Whether the rule's condition holds, and the bound to report with it.
    static func condition(_ r: MetricReading, policy: AlertPolicy, z: Double?, mean: Double?, sd: Double?) -> (Bool, Double?) {
        let v = r.value
        func crosses(_ t: Double) -> Bool {
            switch policy.direction {
            case .above: v > t
            case .below: v < t
            case .both: abs(v) > t
            }
        }
        let significant = r.pValue.map { $0 < policy.pValue } ?? false
        switch policy.rule {
        case .threshold:
            guard let t = policy.threshold else { return (false, nil) }
            return (crosses(t), t)
        case .significance:
            return (significant, policy.pValue)
        case .both:
            guard let t = policy.threshold else { return (false, nil) }
            return (crosses(t) && significant, t)
        case .zscore:
            guard let z, let mean, let sd else { return (false, nil) }
            let limit = policy.z
            switch policy.direction {
            case .above: return (z > limit, mean + limit * sd)
            case .below: return (z < -limit, mean - limit * sd)
            case .both: return (abs(z) > limit, z < 0 ? mean - limit * sd : mean + limit * sd)
            }
        }
    }

    /// West's EWMA update of mean and variance.
    private mutating func updateBaseline(_ x: Double, alpha: Double) {
        guard x.isFinite else { return }
        if baselineWindows == 0 {
            baselineMean = x
            baselineVariance = 0
        } else {
            let d = x - baselineMean
            let inc = alpha * d
            baselineMean += inc
            baselineVariance = (1 - alpha) * (baselineVariance + d * inc)
        }
        baselineWindows += 1
    }

    /// Version 2 added `pendingWindows` and `clearWindows` after `cooldownLeft`; version 1
    /// records (written before `for:` and `keep_firing_for:` existed) read with both 0.
    public func encode(to w: inout StateWriter) {
        w.beginRecord(Self.tag, version: 2)
        w.write(firing)
        w.write(firingSeverity)
        w.write(cooldownLeft)
        w.write(pendingWindows)
        w.write(clearWindows)
        w.write(baselineWindows)
        w.write(baselineMean)
        w.write(baselineVariance)
        w.endRecord()
    }

    public init(from r: inout StateReader) throws {
        let v = try r.beginRecord(Self.tag, supported: 1...2)
        firing = try r.readBool()
        firingSeverity = try r.readString()
        cooldownLeft = try r.readCount()
        if v >= 2 {
            pendingWindows = try r.readCount()
            clearWindows = try r.readCount()
            // A key is pending only while quiet and counts clear windows only while firing.
            if firing ? pendingWindows != 0 : clearWindows != 0 {
                throw StateDecodingError.invalid("alert state both pending and firing")
            }
        }
        baselineWindows = try r.readCount()
        baselineMean = try r.readDouble()
        baselineVariance = try r.readDouble()
        guard baselineVariance >= 0, baselineMean.isFinite else { throw StateDecodingError.invalid("negative variance") }
        try r.endRecord()
    }
}
