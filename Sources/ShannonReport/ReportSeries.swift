import ShannonCore

/// What one chart is about: a stage's state for one key in one partition. Shannon keeps state
/// per (stage, key, partition), so two partitions' windows of the same key are two traces with
/// their own baselines and alert lifecycles, and are charted apart.
public struct SeriesID: Hashable, Comparable, Sendable {
    public var pipeline: String
    public var stage: String
    public var key: String
    public var topic: String
    public var partition: Int32

    public static func < (a: SeriesID, b: SeriesID) -> Bool {
        (a.pipeline, a.stage, a.key, a.topic, a.partition) < (b.pipeline, b.stage, b.key, b.topic, b.partition)
    }
}

/// One point of a chart, before pixels.
public struct SeriesPoint: Equatable, Sendable {
    /// Window end time (epoch ms) or window index (1-based), per the series' `xAxis`.
    public var x: Double
    public var value: Double
    /// The band drawn behind the value (confidence interval, or baseline mean ± z·sd), if any.
    public var low: Double?
    public var high: Double?
    /// The baseline mean the band is centred on (z-score rules), if any.
    public var baseline: Double?
    /// Indices into the report's alert list of the alerts about this window.
    public var alerts: [Int] = []
}

/// What the x coordinate means.
public enum XAxis: Equatable, Sendable {
    /// Window end time, epoch milliseconds (UTC on the axis).
    case time
    /// Window number within the series, from 1 (windows without event time).
    case index
}

/// One chart's data: the points, the lines and what they mean.
public struct Series: Sendable {
    public var id: SeriesID
    public var stageType: String
    /// The figure on the y axis (`psi`, `entropy`, `z`, …).
    public var metric: String
    public var xAxis: XAxis
    public var points: [SeriesPoint]
    /// Horizontal alert thresholds seen in this series' alerts (or given by a pipeline file).
    public var thresholds: [Double]
    /// What the band is, for the legend ("95% confidence interval", "baseline ±4σ"); nil: no band.
    public var bandLabel: String?
    /// The unit a stage states in its detail ("bits", "nats"), if any.
    public var unit: String?
    /// Windows in the input for this series (before any downsampling).
    public var windowCount: Int
    /// Notes printed under the chart (how the band was made, alerts with no window in the input).
    public var notes: [String] = []
}

/// Builds one `Series` per (pipeline, stage, key, topic, partition) from windows and alerts.
enum SeriesBuilder {
    static func build(windows: [WindowRecord], alerts: [Alert], rules: StageRules) -> [Series] {
        var grouped: [SeriesID: [WindowRecord]] = [:]
        for w in windows where isPlotted(w) {
            grouped[SeriesID(pipeline: w.pipeline, stage: w.stage, key: w.key, topic: w.window.topic,
                             partition: w.window.partition), default: []].append(w)
        }
        var alertsBySeries: [SeriesID: [Int]] = [:]
        for (i, a) in alerts.enumerated() {
            alertsBySeries[SeriesID(pipeline: a.pipeline, stage: a.stage, key: a.key, topic: a.window.topic,
                                    partition: a.window.partition), default: []].append(i)
        }
        let ids = Set(grouped.keys).union(alertsBySeries.keys).sorted()
        return ids.map { id in
            let ws = grouped[id] ?? []
            let alertIndices = alertsBySeries[id] ?? []
            let stageType = ws.first?.stageType ?? alerts[alertIndices[0]].stageType
            return series(id, stageType: stageType, windows: ws, alerts: alerts, alertIndices: alertIndices,
                          rule: rules.rule(pipeline: id.pipeline, stage: id.stage))
        }
    }

    /// Boundary stages write a summary per window (`boundaries`) and a record per boundary (`z`,
    /// `error`…); the chart is the z of the boundaries, so the per-window summaries are not points.
    static func isPlotted(_ w: WindowRecord) -> Bool {
        w.stageType != "boundary" || w.figure("z") != nil
    }

    static func metric(stageType: String, alerts: [Alert]) -> String {
        if let a = alerts.first(where: { $0.rule != "notice" }) { return a.metric }
        return StageType(rawValue: stageType)?.headlineMetric ?? "value"
    }

    private static func series(_ id: SeriesID, stageType: String, windows: [WindowRecord], alerts: [Alert],
                               alertIndices: [Int], rule: StageRule?) -> Series {
        let seriesAlerts = alertIndices.map { alerts[$0] }
        let metric = rule?.metric ?? metric(stageType: stageType, alerts: seriesAlerts)
        let timed = !windows.isEmpty ? windows.allSatisfy { $0.window.endTime != nil }
            : seriesAlerts.allSatisfy { $0.window.endTime != nil }
        let ordered = timed ? windows.enumerated().sorted { ($0.element.window.endTime!, $0.offset) < ($1.element.window.endTime!, $1.offset) }.map(\.element)
            : windows
        let usesBaseline = stageType == "entropy" || rule?.isZScore == true || seriesAlerts.contains { $0.rule == "zscore" }
        var replay = usesBaseline ? BaselineReplay(rule: rule, alerts: seriesAlerts) : nil
        var points: [SeriesPoint] = []
        var positionOfWindow: [WindowKey: Int] = [:]
        var notes: [String] = []
        var unplotted = 0
        for (i, w) in ordered.enumerated() {
            let x = timed ? Double(w.window.endTime!) : Double(i + 1)
            guard let v = w.figure(metric) else { unplotted += 1; continue }
            var p = SeriesPoint(x: x, value: v)
            if replay != nil {
                if let band = replay!.step(v, tokens: w.figure("n")) {
                    (p.baseline, p.low, p.high) = (band.mean, band.low, band.high)
                }
            } else if let lo = w.figure("ci_low"), let hi = w.figure("ci_high") {
                (p.low, p.high) = (lo, hi)
            }
            positionOfWindow[WindowKey(w.window)] = points.count
            points.append(p)
        }
        if unplotted > 0 {
            notes.append("\(unplotted) window(s) without a finite \(metric) (reference being learnt, or an empty window) are not plotted.")
        }
        var bandLabel: String? = points.contains { $0.low != nil } ? "confidence interval (ci_low–ci_high)" : nil
        if let replay {
            bandLabel = "baseline ±\(Format.number(replay.z))σ"
            notes.append(BaselineCheck.note(replay, points: points, positions: positionOfWindow, alerts: seriesAlerts))
        }
        var orphans = 0
        for ai in alertIndices {
            let a = alerts[ai]
            if let at = positionOfWindow[WindowKey(a.window)] {
                points[at].alerts.append(ai)
                continue
            }
            // No window for this alert in the input (no windows sink, or a truncated capture): the
            // alert is still drawn, at its own time and value, so nothing it says is lost.
            orphans += 1
            let x: Double
            if timed, let t = a.window.endTime {
                x = Double(t)
            } else {
                x = nearestIndex(ordered, offset: a.window.endOffset)
            }
            // A notice's value is another figure (e.g. distinct tokens): it sits on the trace instead.
            let nearby = points.last { $0.x <= x }?.value ?? points.first?.value ?? 0
            let v = a.rule != "notice" && a.metric == metric && a.value.isFinite ? a.value : nearby
            let p = SeriesPoint(x: x, value: v, low: a.ciLow, high: a.ciHigh, alerts: [ai])
            let at = points.firstIndex { $0.x > x } ?? points.count
            points.insert(p, at: at)
            for (k, idx) in positionOfWindow where idx >= at { positionOfWindow[k] = idx + 1 }
        }
        if orphans > 0 {
            notes.append(windows.isEmpty ? "No windows for this series in the input: the points are its alerts alone."
                         : "\(orphans) alert(s) have no matching window in the input; drawn at their own value.")
        }
        var thresholds = Set(seriesAlerts.filter { $0.rule == "threshold" || $0.rule == "both" }.compactMap(\.threshold))
        if let t = rule?.threshold { thresholds.insert(t) }
        return Series(id: id, stageType: stageType, metric: metric, xAxis: timed ? .time : .index, points: points,
                      thresholds: thresholds.sorted(), bandLabel: bandLabel,
                      unit: windows.first?.detail["unit"]?.stringValue, windowCount: windows.count, notes: notes)
    }

    /// The 1-based index of the window whose end offset is nearest `offset` (for an alert with no window).
    private static func nearestIndex(_ windows: [WindowRecord], offset: Int64) -> Double {
        guard !windows.isEmpty else { return 1 }
        var best = 0
        for (i, w) in windows.enumerated() where abs(w.window.endOffset - offset) < abs(windows[best].window.endOffset - offset) {
            best = i
        }
        return Double(best + 1)
    }
}

/// Identifies a window across the windows and alerts topics (both carry the same bounds).
struct WindowKey: Hashable {
    var startOffset: Int64
    var endOffset: Int64
    var startTime: Int64?
    var endTime: Int64?

    init(_ w: AlertWindow) {
        startOffset = w.startOffset
        endOffset = w.endOffset
        startTime = w.startTime
        endTime = w.endTime
    }
}
