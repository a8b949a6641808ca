import ShannonCore

/// Draws one series as an inline SVG: axes with ticks and units, the band, the threshold and
/// baseline lines, the value trace (stems for boundaries), alert marks and a legend.
///
/// Classes and `data-v` attributes on ticks and lines are part of the output's contract: the
/// tests read coordinates back through them, and a stylesheet can restyle them.
struct SVGChart {
    static let width = 960.0
    static let height = 300.0
    static let left = 72.0, right = 24.0, top = 40.0, bottom = 50.0

    static let nonNegative: Set<String> = ["psi", "iv", "divergence", "js", "entropy", "normalized_entropy", "error", "mean_surprisal"]

    var series: Series
    var alerts: [Alert]
    var maxPoints: Int

    func render() -> String {
        let shown = Downsample.thin(series.points, maxPoints: maxPoints)
        let isStem = series.stageType == "boundary"
        let (xs, xTicks) = xScale(shown)
        let ys = yScale(shown, includeZero: isStem)
        var out = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\">"
        out += "<title>\(Format.escape(title))</title>"
        out += axes(xs, ys.scale, xTicks: xTicks, yTicks: ys.ticks)
        out += band(shown, xs, ys.scale)
        out += baseline(shown, xs, ys.scale)
        for t in series.thresholds {
            let y = Format.px(ys.scale.map(t))
            out += "<line class=\"threshold\" data-v=\"\(t)\" x1=\"\(Format.px(Self.left))\" x2=\"\(Format.px(Self.width - Self.right))\" y1=\"\(y)\" y2=\"\(y)\"/>"
            out += "<text class=\"threshold-label\" x=\"\(Format.px(Self.width - Self.right - 4))\" y=\"\(Format.px(ys.scale.map(t) - 4))\" text-anchor=\"end\">threshold \(Format.escape(Format.number(t)))</text>"
        }
        out += isStem ? stems(shown, xs, ys.scale) : trace(shown, xs, ys.scale)
        out += marks(shown, xs, ys.scale)
        if shown.count < series.points.count {
            out += "<text class=\"sampling\" x=\"\(Format.px(Self.left + 4))\" y=\"\(Format.px(Self.top + 14))\">"
                + "\(Format.count(shown.count)) of \(Format.count(series.points.count)) windows shown (min/max per bucket; every alert kept)</text>"
        }
        return out + legend(isStem: isStem) + "</svg>" // the legend last: readers of the plot stop at it
    }

    var title: String {
        "\(series.id.pipeline) / \(series.id.stage) — \(yLabel) for key \(series.id.key) (\(series.id.topic)[\(series.id.partition)])"
    }

    /// The y-axis title with its unit.
    var yLabel: String {
        switch series.metric {
        case "psi": "PSI (nats)"
        case "iv": "IV (nats)"
        case "divergence": "Jeffreys divergence (nats)"
        case "entropy": "entropy (\(series.unit ?? "bits"))"
        case "normalized_entropy": "normalised entropy (0–1)"
        case "js": "JS divergence (\(series.unit ?? "bits"))"
        case "z": "boundary z (σ)"
        case "error": "prediction error"
        case "mean_surprisal": "mean surprisal (bits/token)"
        default: series.metric
        }
    }

    private var plotLeft: Double { Self.left }
    private var plotRight: Double { Self.width - Self.right }
    private var plotTop: Double { Self.top }
    private var plotBottom: Double { Self.height - Self.bottom }

    private func xScale(_ pts: [SeriesPoint]) -> (LinearScale, [Tick]) {
        var lo = pts.map(\.x).min() ?? 0, hi = pts.map(\.x).max() ?? 1
        if lo == hi { (lo, hi) = series.xAxis == .time ? (lo - 30_000, hi + 30_000) : (lo - 1, hi + 1) }
        let pad = (hi - lo) * 0.01
        let scale = LinearScale(domain: (lo - pad, hi + pad), range: (plotLeft, plotRight))
        let ticks = series.xAxis == .time ? Ticks.time(lo - pad, hi + pad) : Ticks.index(lo - pad, hi + pad)
        return (scale, ticks)
    }

    private func yScale(_ pts: [SeriesPoint], includeZero: Bool) -> (scale: LinearScale, ticks: [Tick]) {
        var values: [Double] = includeZero ? [0] : []
        for p in pts {
            values.append(p.value)
            if let l = p.low { values.append(l) }
            if let h = p.high { values.append(h) }
        }
        values += series.thresholds
        let finite = values.filter(\.isFinite)
        var lo = finite.min() ?? 0
        // Divergences, IV, entropy and |z| are never negative: a band dipping below zero (a
        // normal interval near 0) must not push the axis to -0.2; it is clipped at the axis.
        if Self.nonNegative.contains(series.metric), pts.allSatisfy({ $0.value >= 0 }) { lo = max(lo, 0) }
        let (domain, ticks) = Ticks.linear(lo, finite.max() ?? 1)
        return (LinearScale(domain: domain, range: (plotBottom, plotTop)), ticks)
    }

    private func axes(_ xs: LinearScale, _ ys: LinearScale, xTicks: [Tick], yTicks: [Tick]) -> String {
        var out = "<rect class=\"plot\" x=\"\(Format.px(plotLeft))\" y=\"\(Format.px(plotTop))\" width=\"\(Format.px(plotRight - plotLeft))\" height=\"\(Format.px(plotBottom - plotTop))\"/>"
        for t in yTicks {
            let y = Format.px(ys.map(t.value))
            out += "<line class=\"grid ytick\" data-v=\"\(t.value)\" x1=\"\(Format.px(plotLeft))\" x2=\"\(Format.px(plotRight))\" y1=\"\(y)\" y2=\"\(y)\"/>"
            out += "<text class=\"tick\" x=\"\(Format.px(plotLeft - 6))\" y=\"\(y)\" dy=\"0.32em\" text-anchor=\"end\">\(Format.escape(t.label))</text>"
        }
        for t in xTicks {
            let x = Format.px(xs.map(t.value))
            out += "<line class=\"xtick\" data-v=\"\(t.value)\" x1=\"\(x)\" x2=\"\(x)\" y1=\"\(Format.px(plotBottom))\" y2=\"\(Format.px(plotBottom + 5))\"/>"
            out += "<text class=\"tick\" x=\"\(x)\" y=\"\(Format.px(plotBottom + 18))\" text-anchor=\"middle\">\(Format.escape(t.label))</text>"
        }
        let xLabel: String
        switch series.xAxis {
        case .time:
            let first = series.points.first.map { Format.utc(Int64($0.x)).prefix(10) } ?? ""
            xLabel = "\(series.stageType == "boundary" ? "boundary event time" : "window end time") (UTC, from \(first))"
        case .index:
            xLabel = "window index (windows have no event time)"
        }
        out += "<text class=\"axis-label\" x=\"\(Format.px((plotLeft + plotRight) / 2))\" y=\"\(Format.px(Self.height - 10))\" text-anchor=\"middle\">\(Format.escape(xLabel))</text>"
        let cy = (plotTop + plotBottom) / 2
        out += "<text class=\"axis-label\" x=\"16\" y=\"\(Format.px(cy))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(Format.px(cy)))\">\(Format.escape(yLabel))</text>"
        return out
    }

    /// The band as closed paths, one per run of consecutive points that have one.
    private func band(_ pts: [SeriesPoint], _ xs: LinearScale, _ ys: LinearScale) -> String {
        var runs: [[SeriesPoint]] = [[]]
        for p in pts {
            if p.low != nil && p.high != nil { runs[runs.count - 1].append(p) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
        }
        var d = ""
        for run in runs where !run.isEmpty {
            let clip = { (v: Double) in min(max(ys.map(v), plotTop), plotBottom) }
            let upper = run.map { "\(Format.px(xs.map($0.x))),\(Format.px(clip($0.high!)))" }
            let lower = run.reversed().map { "\(Format.px(xs.map($0.x))),\(Format.px(clip($0.low!)))" }
            d += "M" + (upper + lower).joined(separator: "L") + "Z"
        }
        return d.isEmpty ? "" : "<path class=\"band\" d=\"\(d)\"/>"
    }

    private func baseline(_ pts: [SeriesPoint], _ xs: LinearScale, _ ys: LinearScale) -> String {
        let coords = pts.compactMap { p in p.baseline.map { "\(Format.px(xs.map(p.x))),\(Format.px(ys.map($0)))" } }
        return coords.isEmpty ? "" : "<polyline class=\"baseline\" points=\"\(coords.joined(separator: " "))\"/>"
    }

    private func trace(_ pts: [SeriesPoint], _ xs: LinearScale, _ ys: LinearScale) -> String {
        let coords = pts.map { "\(Format.px(xs.map($0.x))),\(Format.px(ys.map($0.value)))" }
        var out = "<polyline class=\"value\" points=\"\(coords.joined(separator: " "))\"/>"
        if pts.count <= 120 { // few windows: a dot on each, so single windows can be told apart
            for p in pts { out += "<circle class=\"dot\" cx=\"\(Format.px(xs.map(p.x)))\" cy=\"\(Format.px(ys.map(p.value)))\" r=\"2\"/>" }
        }
        return out
    }

    /// Boundaries: a stem from zero to each boundary's z.
    private func stems(_ pts: [SeriesPoint], _ xs: LinearScale, _ ys: LinearScale) -> String {
        let y0 = Format.px(ys.map(0))
        var d = ""
        var dots = ""
        for p in pts {
            let x = Format.px(xs.map(p.x)), y = Format.px(ys.map(p.value))
            d += "M\(x) \(y0)V\(y)"
            dots += "<circle class=\"point\" cx=\"\(x)\" cy=\"\(y)\" r=\"2.5\"/>"
        }
        return "<path class=\"stem\" d=\"\(d)\"/>" + dots
    }

    private func marks(_ pts: [SeriesPoint], _ xs: LinearScale, _ ys: LinearScale) -> String {
        var out = ""
        for p in pts {
            for ai in p.alerts {
                let a = alerts[ai]
                let x = xs.map(p.x), y = ys.map(p.value)
                let kind = AlertMark.kind(a, point: p)
                out += "<path class=\"alert \(kind.cssClass) sev-\(Format.escape(a.severity.lowercased()))\" data-alert=\"\(ai)\" data-x=\"\(p.x)\" data-v=\"\(p.value)\" d=\"\(kind.path(x: x, y: y))\">"
                out += "<title>\(Format.escape(AlertMark.tooltip(a, kind: kind)))</title></path>"
            }
        }
        return out
    }

    private func legend(isStem: Bool) -> String {
        var items: [(String, String)] = [(isStem ? "legend-point" : "legend-value", isStem ? "boundary (z)" : yLabel)]
        if let b = series.bandLabel { items.append(("legend-band", b)) }
        if series.points.contains(where: { $0.baseline != nil }) { items.append(("legend-baseline", "baseline mean")) }
        if !series.thresholds.isEmpty { items.append(("legend-threshold", "alert threshold")) }
        let kinds = Set(series.points.flatMap { p in p.alerts.map { AlertMark.kind(alerts[$0], point: p) } })
        for k in AlertMark.allCases where kinds.contains(k) { items.append(("legend-" + k.cssClass, k.legend)) }
        var out = "<g class=\"legend\">"
        var x = plotLeft
        for (cls, text) in items {
            out += "<g class=\"\(cls)\" transform=\"translate(\(Format.px(x)) 14)\">"
                + AlertMark.swatch(cls) + "<text x=\"18\" y=\"4\">\(Format.escape(text))</text></g>"
            x += 30 + Double(text.count) * 6.4
        }
        return out + "</g>"
    }
}
