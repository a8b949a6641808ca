import ShannonCore

/// The HTML page around the charts: a summary, a contents list, one section per series and the
/// alert table. Everything inline (CSS and SVG) and a content policy that forbids fetching
/// anything, so the file reads the same offline, in a mail attachment or a CI artifact.
struct ReportPage {
    var title: String
    var inputs: [String]
    var windowCount: Int
    var alerts: [Alert]
    var series: [Series]
    var maxPoints: Int

    func render() -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        out += "<title>\(Format.escape(title))</title><style>\(Self.css)</style></head><body>\n"
        out += "<h1>\(Format.escape(title))</h1>\n"
        out += summary()
        out += contents()
        var pipeline: String?
        for (i, s) in series.enumerated() {
            if s.id.pipeline != pipeline {
                pipeline = s.id.pipeline
                out += "<h2>Pipeline \(Format.escape(s.id.pipeline))</h2>\n"
            }
            out += section(s, index: i)
        }
        out += alertTable()
        return out + "</body></html>\n"
    }

    private func summary() -> String {
        let times = series.flatMap { s in s.xAxis == .time ? [s.points.first?.x, s.points.last?.x].compactMap { $0 } : [] }
        var text = "<p class=\"summary\">\(Format.count(windowCount)) windows and \(Format.count(alerts.count)) alerts"
        text += " from \(inputs.map { "<code>\(Format.escape($0))</code>" }.joined(separator: " and "))"
        text += "; \(series.count) chart\(series.count == 1 ? "" : "s"), one per stage, key and partition"
        if let lo = times.min(), let hi = times.max() {
            text += "; window end times \(Format.utc(Int64(lo))) to \(Format.utc(Int64(hi))) UTC"
        }
        return text + ".</p>\n"
    }

    private func contents() -> String {
        guard series.count > 1 else { return "" }
        var out = "<nav><ol class=\"contents\">"
        for (i, s) in series.enumerated() {
            let fired = s.points.reduce(0) { $0 + $1.alerts.count }
            out += "<li><a href=\"#chart-\(i)\">\(Format.escape(s.id.pipeline)) / \(Format.escape(s.id.stage))"
                + " · \(Format.escape(s.id.key)) · \(Format.escape(s.id.topic))[\(s.id.partition)]</a>"
                + (fired > 0 ? " <span class=\"count\">\(fired) alert\(fired == 1 ? "" : "s")</span>" : "") + "</li>"
        }
        return out + "</ol><p><a href=\"#alerts\">Alert table</a></p></nav>\n"
    }

    private func section(_ s: Series, index: Int) -> String {
        let chart = SVGChart(series: s, alerts: alerts, maxPoints: maxPoints)
        let fired = s.points.reduce(0) { $0 + $1.alerts.count }
        var out = "<section class=\"series\" id=\"chart-\(index)\">"
        out += "<h3>\(Format.escape(s.id.stage)) <span class=\"type\">\(Format.escape(s.stageType))</span> · key <q>\(Format.escape(s.id.key))</q></h3>"
        out += "<p class=\"meta\">\(Format.escape(chart.yLabel)) \(s.stageType == "boundary" ? "of each boundary" : "per window") on \(Format.escape(s.id.topic)) partition \(s.id.partition);"
            + " \(Format.count(s.windowCount)) \(s.stageType == "boundary" ? "boundaries" : "windows"), \(fired) alert\(fired == 1 ? "" : "s").</p>"
        out += chart.render()
        if !s.notes.isEmpty {
            out += "<ul class=\"notes\">" + s.notes.map { "<li>\(Format.escape($0))</li>" }.joined() + "</ul>"
        }
        return out + "</section>\n"
    }

    /// Every alert, in time order, each linked to its chart.
    private func alertTable() -> String {
        var chartOf: [Int: Int] = [:]
        for (i, s) in series.enumerated() { for p in s.points { for a in p.alerts { chartOf[a] = i } } }
        let order = alerts.indices.sorted { a, b in
            let ta = alerts[a].window.endTime ?? alerts[a].emittedAt, tb = alerts[b].window.endTime ?? alerts[b].emittedAt
            return (ta, a) < (tb, b)
        }
        var out = "<h2 id=\"alerts\">Alerts (\(Format.count(alerts.count)))</h2>\n"
        guard !alerts.isEmpty else { return out + "<p>No alerts in the input.</p>\n" }
        out += "<table class=\"alerts\"><thead><tr><th>state</th><th>severity</th><th>stage</th><th>key</th>"
            + "<th>value</th><th>window</th><th>time (UTC)</th></tr></thead><tbody>\n"
        for i in order {
            let a = alerts[i]
            let stage = "\(Format.escape(a.pipeline)) / \(Format.escape(a.stage))"
            let link = chartOf[i].map { "<a href=\"#chart-\($0)\">\(stage)</a>" } ?? stage
            var value = "\(Format.escape(a.metric)) = \(Format.escape(Format.number(a.value)))"
            if let lo = a.ciLow, let hi = a.ciHigh { value += " [\(Format.escape(Format.number(lo))), \(Format.escape(Format.number(hi)))]" }
            if let t = a.threshold, a.rule != "significance" { value += " vs \(Format.escape(Format.number(t)))" }
            if let p = a.pValue { value += ", p \(Format.escape(Format.number(p)))" }
            if a.rule == "notice", let m = a.detail["message"]?.stringValue { value += " — " + Format.escape(m) }
            let window = "\(Format.escape(a.window.topic))[\(a.window.partition)] \(a.window.startOffset)–\(a.window.endOffset)"
                + " (\(Format.count(a.window.records)) records)"
            let time = a.window.endTime.map { Format.utc($0) } ?? "emitted \(Format.utc(a.emittedAt))"
            out += "<tr class=\"\(Format.escape(a.state.rawValue)) sev-\(Format.escape(a.severity.lowercased()))\">"
                + "<td>\(Format.escape(a.state.rawValue))</td><td>\(Format.escape(a.severity))</td><td>\(link)</td>"
                + "<td>\(Format.escape(a.key))</td><td>\(value)</td><td>\(window)</td><td>\(time)</td></tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    static let css = """
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;margin:24px auto;max-width:1000px;padding:0 16px;background:#fff}
    h1{font-size:24px;margin:0 0 6px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #dde1e8;padding-bottom:4px}
    h3{font-size:15px;margin:18px 0 2px}.type{font-weight:normal;color:#6b7383;font-size:12px;border:1px solid #cfd5df;border-radius:3px;padding:0 4px}
    .summary,.meta{color:#4a5263;margin:2px 0 6px}.notes{color:#5a6273;font-size:12px;margin:4px 0 0;padding-left:18px}
    .contents{columns:2;font-size:13px;padding-left:22px}.count{color:#b3261e;font-size:12px}a{color:#1f5fbf}
    svg.chart{width:100%;height:auto;display:block;font-size:11px}
    .plot{fill:#fbfcfd;stroke:#c9ced8}.grid{stroke:#e6e9ef}.xtick{stroke:#8a93a3}.tick{fill:#4a5263}
    .axis-label{fill:#1d2330;font-size:12px}.sampling{fill:#7a5b00;font-size:11px}
    .band{fill:#4f7fd8;fill-opacity:.18;stroke:none}.baseline{fill:none;stroke:#4f7fd8;stroke-dasharray:5 3;stroke-width:1.2}
    .value{fill:none;stroke:#1f4fa8;stroke-width:1.5}.dot{fill:#1f4fa8}.stem{stroke:#6b7a99;stroke-width:1}.point{fill:#1f4fa8}
    .threshold{stroke:#c0392b;stroke-dasharray:6 4;stroke-width:1.3}.threshold-label{fill:#c0392b;font-size:11px}
    .alert{stroke:#fff;stroke-width:1}.alert.firing,.alert.collapse{fill:#d93025}.alert.surge{fill:#e8710a}
    .alert.resolved{fill:none;stroke:#188038;stroke-width:2}.alert.notice{fill:#80868b}
    .legend text{fill:#1d2330;font-size:11px}
    table.alerts{border-collapse:collapse;width:100%;font-size:12px}.alerts th,.alerts td{border-bottom:1px solid #e3e6ec;padding:3px 6px;text-align:left;vertical-align:top}
    .alerts th{background:#f1f3f7}.alerts tr.firing td:first-child{color:#b3261e;font-weight:600}.alerts tr.resolved td:first-child{color:#188038}
    .sev-critical td:nth-child(2){color:#b3261e;font-weight:600}code{font-size:12px}
    """
}
