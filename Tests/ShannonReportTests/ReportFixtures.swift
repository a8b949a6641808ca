import Foundation
import ShannonCore
import Testing
@testable import ShannonReport

/// Input records built with the project's own JSON writer in the shape `PipelineWorker.writeWindow`
/// and `Alert.write(to:)` produce, then parsed back the way `shannon report` reads them.
enum ReportFixtures {
    static let t0: Int64 = 1_764_400_000_000

    static func windowLine(pipeline: String = "p", stage: String, type: String, key: String = "*",
                           topic: String = "events", partition: Int32 = 0, index: Int, size: Int64 = 1000,
                           timed: Bool = true, figures: [(String, Double)], detail: JSONValue = .object([])) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("pipeline", pipeline)
        w.field("stage", stage)
        w.field("stage_type", type)
        w.field("key", key)
        w.key("window")
        w.beginObject()
        w.field("topic", topic)
        w.field("partition", Int64(partition))
        w.field("start_offset", Int64(index) * size)
        w.field("end_offset", Int64(index + 1) * size - 1)
        w.field("start_time", timed ? t0 + Int64(index) * 60_000 : nil)
        w.field("end_time", timed ? t0 + Int64(index + 1) * 60_000 - 1 : nil)
        w.field("records", Int(size))
        w.endObject()
        w.key("figures")
        w.beginObject()
        for (n, v) in figures { w.field(n, v) }
        w.endObject()
        w.field("detail", detail)
        w.endObject()
        return w.string
    }

    static func window(_ line: String) -> WindowRecord {
        try! WindowRecord.decode(try! JSONParser.parse(line))
    }

    /// A PSI window as the psi stage reports it (figure names from `driftReport`).
    static func psi(index: Int, value: Double, se: Double = 0.01, key: String = "*", partition: Int32 = 0,
                    stage: String = "score-psi", timed: Bool = true) -> String {
        windowLine(stage: stage, type: "psi", key: key, partition: partition, index: index, timed: timed, figures: [
            ("psi", value), ("se", se), ("se_delta", se), ("ci_low", value - 1.96 * se), ("ci_high", value + 1.96 * se),
            ("statistic", value * 1000), ("p_value", 0.5), ("df", 9), ("n", 1000), ("m", 5000),
        ])
    }

    static func entropy(index: Int, value: Double, key: String = "m", tokens: Double = 4000, stage: String = "entropy-by-model") -> String {
        windowLine(stage: stage, type: "entropy", key: key, index: index, figures: [
            ("entropy", value), ("se", 0.02), ("normalized_entropy", 0.8), ("distinct", 900), ("n", tokens),
        ], detail: .object([JSONMember("unit", .string("bits"))]))
    }

    /// An alert for the window `index` of `windowLine` (same bounds, so the report can match them).
    static func alert(stage: String = "score-psi", type: String = "psi", key: String = "*", partition: Int32 = 0,
                      index: Int, size: Int64 = 1000, metric: String = "psi", value: Double, threshold: Double? = 0.25,
                      rule: AlertPolicy.Rule = .threshold, state: AlertState = .firing, severity: String = "warning",
                      detail: JSONValue = .object([]), timed: Bool = true) -> Alert {
        let window = AlertWindow(topic: "events", partition: partition, startOffset: Int64(index) * size,
                                 endOffset: Int64(index + 1) * size - 1,
                                 startTime: timed ? t0 + Int64(index) * 60_000 : nil,
                                 endTime: timed ? t0 + Int64(index + 1) * 60_000 - 1 : nil, records: Int(size))
        let decision = AlertDecision(state: state, severity: severity, rule: rule, threshold: threshold,
                                     baselineMean: nil, baselineSD: nil, z: nil)
        return Alert(pipeline: "p", stage: stage, stageType: type, key: key, metric: metric,
                     reading: MetricReading(value: value), decision: decision, window: window, windowIsEventTime: false,
                     detail: detail, emittedAt: t0)
    }

    /// Alerts as the alerts topic carries them, read back through the report's own reader.
    static func roundTrip(_ alerts: [Alert]) -> [Alert] {
        let text = alerts.map { String(decoding: $0.jsonBytes(), as: UTF8.self) }.joined(separator: "\n")
        return try! JSONLines.alerts(Array(text.utf8), file: "alerts")
    }
}

/// Reads back what the charts drew: tick positions, the value trace and the marks.
struct SVGReader {
    let svg: String

    /// Every `<svg …>…</svg>` of a page.
    static func charts(_ html: String) -> [SVGReader] {
        html.components(separatedBy: "<svg ").dropFirst().map { SVGReader(svg: "<svg " + $0.components(separatedBy: "</svg>")[0] + "</svg>") }
    }

    /// The plot without its legend (the legend's samples use the same classes as the marks).
    var plot: String { svg.components(separatedBy: "<g class=\"legend\">")[0] }

    /// The attributes of each element `<name …>` of the plot whose class list contains `cls`.
    func elements(_ name: String, cls: String) -> [[String: String]] {
        plot.components(separatedBy: "<\(name) ").dropFirst().compactMap { chunk in
            let tag = chunk.prefix { $0 != ">" }
            var attrs: [String: String] = [:]
            var rest = Substring(tag)
            while let eq = rest.firstIndex(of: "=") {
                let key = rest[..<eq].trimmingCharacters(in: .whitespaces)
                let afterQuote = rest.index(eq, offsetBy: 2)
                guard afterQuote <= rest.endIndex, let close = rest[afterQuote...].firstIndex(of: "\"") else { break }
                attrs[key] = String(rest[afterQuote..<close])
                rest = rest[rest.index(after: close)...]
            }
            let classes = (attrs["class"] ?? "").split(separator: " ").map(String.init)
            return classes.contains(cls) ? attrs : nil
        }
    }

    /// The least-squares line through (data value, pixel) of the ticks: pixel = a + b·value.
    func axisMap(_ cls: String, pixel: String) -> (a: Double, b: Double) {
        let pairs = elements("line", cls: cls).map { (Double($0["data-v"]!)!, Double($0[pixel]!)!) }
        let n = Double(pairs.count)
        let mx = pairs.map(\.0).reduce(0, +) / n, my = pairs.map(\.1).reduce(0, +) / n
        let sxy = pairs.map { ($0.0 - mx) * ($0.1 - my) }.reduce(0, +), sxx = pairs.map { ($0.0 - mx) * ($0.0 - mx) }.reduce(0, +)
        let b = sxy / sxx
        return (my - b * mx, b)
    }

    /// The points of the first `<polyline class="…cls…">`.
    func polyline(_ cls: String) -> [(Double, Double)] {
        guard let pts = elements("polyline", cls: cls).first?["points"] else { return [] }
        return pts.split(separator: " ").map { pair in
            let xy = pair.split(separator: ",")
            return (Double(xy[0])!, Double(xy[1])!)
        }
    }
}


/// `a` within `tolerance` of `b`, reported at the caller's line.
func expectClose(_ a: Double, _ b: Double, _ tolerance: Double, _ comment: Comment? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(abs(a - b) <= tolerance, "\(a) is not within \(tolerance) of \(b)\(comment.map { ": \($0)" } ?? "")",
            sourceLocation: sourceLocation)
}

/// `body` throws; `check` then looks at the error.
func expectThrows<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation,
                     _ check: (any Error) -> Void = { _ in }) {
    do {
        _ = try body()
        Issue.record("expected an error", sourceLocation: sourceLocation)
    } catch {
        check(error)
    }
}
