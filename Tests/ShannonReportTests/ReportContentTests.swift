import Foundation
import ShannonCore
import Testing
@testable import ShannonReport
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct ReportContentTests {
    typealias F = ReportFixtures

    @Test func everyTextIsEscaped() throws {
        let hostile = "<script>alert(\"x\")</script>&'"
        let windows = (0..<5).map { F.window(F.psi(index: $0, value: 0.1, key: hostile, stage: "st<a>ge")) }
        var notice = F.alert(stage: "st<a>ge", key: hostile, index: 2, value: 1, threshold: nil,
                             detail: .object([JSONMember("message", .string("cap </td><b>reached</b>"))]))
        notice.rule = "notice"
        notice.severity = "warn\"ing <i>"
        let alerts = F.roundTrip([notice, F.alert(stage: "st<a>ge", key: hostile, index: 3, value: 0.4)])
        let html = HTMLReport.html(windows: windows, alerts: alerts,
                                   options: ReportOptions(windowsPath: "w<1>.jsonl", title: "Report & <friends>"))
        #expect(!html.contains("<script>"))
        #expect(!html.contains("st<a>ge"))
        #expect(!html.contains("<b>reached"))
        #expect(!html.contains("<i>"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"))
        #expect(html.contains("<title>Report &amp; &lt;friends&gt;</title>"))
        #expect(html.contains("w&lt;1&gt;.jsonl"))
        // Each chart is well-formed XML, hostile names and all.
        for chart in SVGReader.charts(html) {
            let parser = XMLParser(data: Data(chart.svg.utf8))
            #expect(parser.parse(), "SVG is not well-formed: \(String(describing: parser.parserError))")
        }
    }

    @Test func thePageFetchesNothing() {
        let windows = (0..<5).map { F.window(F.psi(index: $0, value: 0.1)) }
        let html = HTMLReport.html(windows: windows, alerts: [])
        #expect(html.contains("Content-Security-Policy\" content=\"default-src 'none'"))
        for needle in ["<script", "<link", "src=", "@import", "url(", "http://", "https://"] where needle != "http://" {
            #expect(!html.contains(needle), "page contains \(needle)")
        }
        // The only http:// is the SVG namespace name, which is never fetched.
        #expect(html.components(separatedBy: "http://").count - 1 == SVGReader.charts(html).count)
    }

    /// The entropy band is the baseline the z-score rule judged against: replaying the windows
    /// through the project's `AlertRuleState` gives the same mean the alerts carry.
    @Test func entropyBaselineBandMatchesTheAlertsBaseline() throws {
        let policy = AlertPolicy(rule: .zscore, direction: .both, z: 4, baselineAlpha: 0.1, baselineMinWindows: 10, cooldown: 3)
        var state = AlertRuleState()
        var values: [Double] = []
        for i in 0..<120 {
            // Normal wobble, a collapse from window 60 to 70 and a surge at 100.
            let v = i >= 60 && i < 70 ? 4.0 : (i == 100 ? 9.5 : 7.5 + 0.05 * sin(Double(i)))
            values.append(v)
        }
        var alerts: [Alert] = []
        var windows: [WindowRecord] = []
        for (i, v) in values.enumerated() {
            let line = F.entropy(index: i, value: v, tokens: i == 5 ? 50 : 4000)
            windows.append(F.window(line))
            if i == 5 { continue } // below min_tokens: not alertable, the rule never sees it
            guard let d = state.evaluate(MetricReading(value: v), policy: policy) else { continue }
            let detail = JSONValue.object([JSONMember("unit", .string("bits")), JSONMember("baseline", .object([
                JSONMember("mean", d.baselineMean.map(JSONValue.number) ?? .null),
                JSONMember("sd", d.baselineSD.map(JSONValue.number) ?? .null),
                JSONMember("z", d.z.map(JSONValue.number) ?? .null),
            ]))])
            var a = F.alert(stage: "entropy-by-model", type: "entropy", key: "m", index: i, metric: "entropy", value: v,
                            threshold: d.threshold, rule: .zscore, state: d.state, detail: detail)
            a.severity = d.severity
            alerts.append(a)
        }
        alerts = F.roundTrip(alerts)
        #expect(alerts.count >= 3, Comment(rawValue: "collapse, its resolution and the surge"))
        var rules = StageRules()
        rules.set(StageRule(isZScore: true, direction: .both, z: 4, baselineAlpha: 0.1, baselineMinWindows: 10, minTokens: 100),
                  pipeline: "p", stage: "entropy-by-model")
        let series = try #require(HTMLReport.series(windows: windows, alerts: alerts, rules: rules).first)
        #expect(series.notes.contains { $0.contains("matches the baseline of all \(alerts.count) alert(s)") }, "\(series.notes)")
        for p in series.points where !p.alerts.isEmpty {
            let a = alerts[p.alerts[0]]
            let mean = try #require(a.detail["baseline"]?["mean"]?.doubleValue)
            expectClose(try #require(p.baseline), mean, 1e-12)
            let sd = try #require(a.detail["baseline"]?["sd"]?.doubleValue)
            expectClose(try #require(p.low), mean - 4 * sd, 1e-9)
        }
        let html = HTMLReport.html(windows: windows, alerts: alerts, rules: rules)
        let chart = SVGReader.charts(html)[0]
        #expect(chart.elements("path", cls: "collapse").count == 1)
        #expect(chart.elements("path", cls: "surge").count == 1)
        #expect(!chart.elements("path", cls: "band").isEmpty)
        #expect(html.contains("baseline ±4σ"))

        // Without the pipeline's parameters the replay (defaults) disagrees, and says so.
        let guessed = try #require(HTMLReport.series(windows: windows, alerts: alerts).first)
        #expect(guessed.notes.contains { $0.contains("differs from the baseline the alerts carry") }, "\(guessed.notes)")
    }

    @Test func inputErrorsNameTheFileAndLine() {
        let text = F.psi(index: 0, value: 0.1) + "\n\n{\"pipeline\": \"p\"}\n"
        expectThrows({ try JSONLines.windows(Array(text.utf8), file: "w.jsonl") }) { error in
            #expect("\(error)".hasPrefix("w.jsonl:3:"), "\(error)")
        }
        expectThrows({ try JSONLines.alerts(Array("{not json\n".utf8), file: "a.jsonl") }) { error in
            #expect("\(error)".hasPrefix("a.jsonl:1:"), "\(error)")
        }
    }

    @Test func runReadsFilesAndStandardInputAndWritesTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shannon-report-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let windowsFile = dir.appendingPathComponent("windows.jsonl").path
        try (0..<8).map { F.psi(index: $0, value: 0.1) }.joined(separator: "\n").write(toFile: windowsFile, atomically: true, encoding: .utf8)
        let alertsText = String(decoding: F.alert(index: 4, value: 0.3).jsonBytes(), as: UTF8.self) + "\n"
        let out = dir.appendingPathComponent("report.html").path
        let summary = try HTMLReport.run(ReportOptions(windowsPath: windowsFile, alertsPath: "-", outputPath: out),
                                         readStandardInput: { Array(alertsText.utf8) })
        #expect(summary.windows == 8)
        #expect(summary.alerts == 1)
        #expect(summary.charts == 1)
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.utf8.count == summary.bytes)
        #expect(html.contains("standard input"))
        expectThrows { try HTMLReport.run(ReportOptions(windowsPath: "-", alertsPath: "-")) }
        expectThrows { try HTMLReport.run(ReportOptions()) }
        expectThrows({ try HTMLReport.run(ReportOptions(windowsPath: dir.appendingPathComponent("nope").path)) }) { e in
            #expect("\(e)".contains("cannot read"), "\(e)")
        }
    }
}
