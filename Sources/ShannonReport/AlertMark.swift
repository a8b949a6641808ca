import ShannonCore

/// How an alert is marked on a chart, so a reader tells a firing from a resolution (and, for
/// entropy, a collapse from a surge) without opening the table.
enum AlertMark: String, CaseIterable, Hashable {
    case firing, collapse, surge, resolved, notice

    static func kind(_ a: Alert, point: SeriesPoint) -> AlertMark {
        if a.rule == "notice" { return .notice }
        if a.state == .resolved { return .resolved }
        if a.stageType == "entropy", let mean = point.baseline ?? a.detail["baseline"]?["mean"]?.doubleValue {
            return a.value < mean ? .collapse : .surge
        }
        return .firing
    }

    var cssClass: String { rawValue }

    var legend: String {
        switch self {
        case .firing: "alert firing"
        case .collapse: "collapse (below baseline)"
        case .surge: "surge (above baseline)"
        case .resolved: "resolved"
        case .notice: "notice"
        }
    }

    /// The mark's outline, centred on the point (x, y) in pixels.
    func path(x: Double, y: Double) -> String {
        let p = Format.px
        switch self {
        case .firing: // diamond
            return "M\(p(x)) \(p(y - 6))L\(p(x + 6)) \(p(y))L\(p(x)) \(p(y + 6))L\(p(x - 6)) \(p(y))Z"
        case .collapse: // ▼
            return "M\(p(x - 6)) \(p(y - 5))L\(p(x + 6)) \(p(y - 5))L\(p(x)) \(p(y + 6))Z"
        case .surge: // ▲
            return "M\(p(x - 6)) \(p(y + 5))L\(p(x + 6)) \(p(y + 5))L\(p(x)) \(p(y - 6))Z"
        case .resolved: // ring (two arcs)
            return "M\(p(x - 5)) \(p(y))A5 5 0 1 0 \(p(x + 5)) \(p(y))A5 5 0 1 0 \(p(x - 5)) \(p(y))Z"
        case .notice: // square
            return "M\(p(x - 4)) \(p(y - 4))H\(p(x + 4))V\(p(y + 4))H\(p(x - 4))Z"
        }
    }

    static func tooltip(_ a: Alert, kind: AlertMark) -> String {
        var t = "\(a.state.rawValue) \(a.severity): \(a.metric) = \(Format.number(a.value))"
        if let lo = a.ciLow, let hi = a.ciHigh { t += " [\(Format.number(lo)), \(Format.number(hi))]" }
        if let th = a.threshold { t += ", threshold \(Format.number(th))" }
        if let z = a.detail["baseline"]?["z"]?.doubleValue { t += ", z \(Format.number(z))" }
        if let p = a.pValue { t += ", p \(Format.number(p))" }
        t += "; offsets \(a.window.startOffset)–\(a.window.endOffset)"
        if let e = a.window.endTime { t += ", \(Format.utc(e)) UTC" }
        if kind == .notice, let m = a.detail["message"]?.stringValue { t += ": " + m }
        return t
    }

    /// A small sample of a legend entry's style.
    static func swatch(_ cls: String) -> String {
        switch cls {
        case "legend-value": return "<line class=\"value\" x1=\"0\" x2=\"14\" y1=\"0\" y2=\"0\"/>"
        case "legend-point": return "<path class=\"stem\" d=\"M7 5V-5\"/><circle class=\"point\" cx=\"7\" cy=\"-5\" r=\"2.5\"/>"
        case "legend-band": return "<rect class=\"band\" x=\"0\" y=\"-5\" width=\"14\" height=\"10\"/>"
        case "legend-baseline": return "<line class=\"baseline\" x1=\"0\" x2=\"14\" y1=\"0\" y2=\"0\"/>"
        case "legend-threshold": return "<line class=\"threshold\" x1=\"0\" x2=\"14\" y1=\"0\" y2=\"0\"/>"
        default:
            let kind = AlertMark(rawValue: String(cls.dropFirst("legend-".count))) ?? .firing
            return "<path class=\"alert \(kind.cssClass)\" d=\"\(kind.path(x: 7, y: 0))\"/>"
        }
    }
}
