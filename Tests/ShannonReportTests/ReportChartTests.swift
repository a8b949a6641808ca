import Foundation
import ShannonCore
import Testing
@testable import ShannonReport

@Suite struct ReportChartTests {
    typealias F = ReportFixtures

    @Test func oneChartPerStageKeyAndPartition() throws {
        var lines: [String] = []
        for i in 0..<20 {
            lines.append(F.psi(index: i, value: 0.05, key: "retail"))
            lines.append(F.psi(index: i, value: 0.07, key: "sme"))
            lines.append(F.psi(index: i, value: 0.06, key: "retail", partition: 1)) // own state: own chart
            lines.append(F.entropy(index: i, value: 7.5, key: "chat-a"))
        }
        let windows = try JSONLines.windows(Array(lines.joined(separator: "\n").utf8), file: "w")
        let html = HTMLReport.html(windows: windows, alerts: [])
        #expect(SVGReader.charts(html).count == 4)
        #expect(html.components(separatedBy: "<section class=\"series\"").count - 1 == 4)
        let ids = HTMLReport.series(windows: windows, alerts: []).map { "\($0.id.stage)|\($0.id.key)|\($0.id.partition)" }
        #expect(ids == ["entropy-by-model|chat-a|0", "score-psi|retail|0", "score-psi|retail|1", "score-psi|sme|0"])
        #expect(html.contains("PSI (nats)"))
        #expect(html.contains("entropy (bits)"))
    }

    @Test func valuesRoundTripThroughTheSVGCoordinates() throws {
        // A PSI series with a shift: values span two orders of magnitude, x is event time.
        let values: [Double] = (0..<60).map { (i: Int) -> Double in
            i < 30 ? 0.01 + 0.002 * Double(i % 7) : 0.3 + 0.01 * Double(i % 5)
        }
        let windows = values.enumerated().map { F.window(F.psi(index: $0.offset, value: $0.element)) }
        let alerts = F.roundTrip([F.alert(index: 30, value: values[30])])
        let chart = try #require(SVGReader.charts(HTMLReport.html(windows: windows, alerts: alerts)).first)
        let ymap = chart.axisMap("ytick", pixel: "y1"), xmap = chart.axisMap("xtick", pixel: "x1")
        let points = chart.polyline("value")
        #expect(points.count == values.count)
        // A pixel, in data units: the tolerance of the inversion (coordinates are written to 0.1 px).
        let yPixel = abs(1 / ymap.b), xPixel = abs(1 / xmap.b)
        for (i, (px, py)) in points.enumerated() {
            expectClose((py - ymap.a) / ymap.b, values[i], yPixel, "y of window \(i)")
            expectClose((px - xmap.a) / xmap.b, Double(windows[i].window.endTime!), xPixel, "x of window \(i)")
        }
        // The threshold line sits at the alert's threshold, on the same axis.
        let line = try #require(chart.elements("line", cls: "threshold").first)
        expectClose((Double(line["y1"]!)! - ymap.a) / ymap.b, 0.25, yPixel)
        // The alert mark is on its window's point.
        let mark = try #require(chart.elements("path", cls: "alert").first)
        #expect(Double(mark["data-v"]!)! == values[30])
        #expect(mark["class"]!.contains("firing"))
    }

    @Test func indexAxisWhenWindowsHaveNoEventTime() throws {
        let windows = (0..<12).map { F.window(F.psi(index: $0, value: Double($0) / 100, timed: false)) }
        let series = HTMLReport.series(windows: windows, alerts: [])
        #expect(series[0].xAxis == .index)
        #expect(series[0].points.map(\.x) == (1...12).map(Double.init))
        let html = HTMLReport.html(windows: windows, alerts: [])
        #expect(html.contains("window index"))
        let chart = SVGReader.charts(html)[0]
        let xmap = chart.axisMap("xtick", pixel: "x1")
        for (i, p) in chart.polyline("value").enumerated() {
            expectClose((p.0 - xmap.a) / xmap.b, Double(i + 1), abs(1 / xmap.b))
        }
    }

    @Test func downsamplingKeepsEveryAlert() throws {
        let n = 10_000
        // A noisy series; alerts on ordinary-looking windows, which min/max alone would drop.
        let values: [Double] = (0..<n).map { (i: Int) -> Double in 0.1 + 0.09 * sin(Double(i) * 1.618 + Double(i % 13)) }
        let alertAt = stride(from: 17, to: n, by: 271).map { $0 }
        let windows = values.enumerated().map { F.window(F.psi(index: $0.offset, value: $0.element)) }
        let alerts = F.roundTrip(alertAt.map { F.alert(index: $0, value: values[$0], threshold: 0.1) })
        let html = HTMLReport.html(windows: windows, alerts: alerts, options: ReportOptions(maxPoints: 2000))
        let chart = SVGReader.charts(html)[0]
        let marks = chart.elements("path", cls: "alert")
        #expect(Set(marks.map { Int($0["data-alert"]!)! }) == Set(alerts.indices))
        for m in marks {
            let a = alerts[Int(m["data-alert"]!)!]
            #expect(Double(m["data-v"]!)! == a.value, Comment(rawValue: "alert drawn at its window's value"))
        }
        let drawn = chart.polyline("value").count
        #expect(drawn <= 2000 + alertAt.count)
        #expect(drawn > 1900)
        #expect(chart.svg.contains("\(Format.count(drawn)) of 10,000 windows shown (min/max per bucket; every alert kept)"))
        // Each bucket's extremes survive: the global min and max are drawn.
        let ymap = chart.axisMap("ytick", pixel: "y1")
        let drawnValues = chart.polyline("value").map { ($0.1 - ymap.a) / ymap.b }
        expectClose(drawnValues.max()!, values.max()!, abs(1 / ymap.b))
        expectClose(drawnValues.min()!, values.min()!, abs(1 / ymap.b))
        // Every alert is also in the table.
        #expect(html.components(separatedBy: "<tr class=\"firing").count - 1 == alerts.count)
    }

    @Test func tenThousandWindowsOfEveryKindRender() throws {
        var lines: [String] = []
        for i in 0..<10_000 {
            lines.append(F.entropy(index: i, value: 7 + 0.1 * sin(Double(i) / 50)))
            lines.append(F.psi(index: i, value: 0.02 + 0.01 * cos(Double(i) / 30)))
        }
        let windows = try JSONLines.windows(Array(lines.joined(separator: "\n").utf8), file: "w")
        #expect(windows.count == 20_000)
        let html = HTMLReport.html(windows: windows, alerts: [])
        let charts = SVGReader.charts(html)
        #expect(charts.count == 2)
        for c in charts {
            #expect(c.polyline("value").count <= 2000)
            #expect(c.svg.contains("of 10,000 windows shown"))
        }
        #expect(html.utf8.count < 2_000_000, Comment(rawValue: "a thinned page stays small"))
    }

    @Test func alertsWithoutWindowsAreStillDrawn() throws {
        // The credit pipeline has no windows sink: its alerts alone make the chart.
        let alerts = F.roundTrip([F.alert(index: 3, value: 0.31), F.alert(index: 9, value: 0.12, state: .resolved)])
        let html = HTMLReport.html(windows: [], alerts: alerts)
        let chart = try #require(SVGReader.charts(html).first)
        #expect(chart.elements("path", cls: "alert").count == 2)
        #expect(chart.elements("path", cls: "resolved").count == 1)
        #expect(html.contains("the points are its alerts alone"))
    }

    @Test func boundaryEventsAreStemsAndWindowSummariesAreNotPoints() throws {
        var lines: [String] = []
        for i in 0..<40 { lines.append(F.windowLine(stage: "cuts", type: "boundary", key: "cam-1", index: i, size: 1,
                                                    figures: [("boundaries", i % 10 == 0 ? 1 : 0), ("position", Double(i))])) }
        for i in stride(from: 0, to: 40, by: 10) {
            lines.append(F.windowLine(stage: "cuts", type: "boundary", key: "cam-1", index: i, size: 1,
                                      figures: [("z", 5 + Double(i) / 10), ("error", 0.3), ("mu", 0.1), ("sigma", 0.04),
                                                ("event_length", 10), ("position", Double(i))]))
        }
        let windows = try JSONLines.windows(Array(lines.joined(separator: "\n").utf8), file: "w")
        let alerts = F.roundTrip(stride(from: 0, to: 40, by: 10).map {
            F.alert(stage: "cuts", type: "boundary", key: "cam-1", index: $0, size: 1, metric: "z", value: 5 + Double($0) / 10, threshold: 4)
        })
        let html = HTMLReport.html(windows: windows, alerts: alerts)
        let chart = try #require(SVGReader.charts(html).first)
        #expect(chart.elements("circle", cls: "point").count == 4)
        #expect(chart.elements("path", cls: "alert").count == 4)
        #expect(chart.elements("path", cls: "stem").count == 1)
        #expect(html.contains("boundary z (σ)"))
    }

    @Test func formatting() {
        #expect(Format.utc(0) == "1970-01-01 00:00:00")
        // Reference: python3 -c "import datetime; print(datetime.datetime.utcfromtimestamp(1764400000.123))"
        #expect(Format.utc(1_764_400_000_123) == "2025-11-29 07:06:40.123")
        #expect(Format.utc(951_782_400_000) == "2000-02-29 00:00:00") // leap day
        #expect(Format.utc(-1) == "1969-12-31 23:59:59.999")
        #expect(Format.count(10_000) == "10,000")
        #expect(Format.count(999) == "999")
        #expect(Format.tick(0.15, step: 0.05) == "0.15")
        #expect(Format.tick(2, step: 0.5) == "2.0")
    }
}
