import Foundation
import ShannonCore

/// Runs pipeline test files (`shannon test`): each test feeds its inputs to a fresh
/// `PipelineDriver` over the file's pipeline, closes what a bounded input leaves open, and
/// compares what came out with the expectations. No broker.
public enum PipelineTestRunner {
    /// The outcome of one test.
    public struct Outcome: Sendable {
        public var name: String
        /// One entry per failed expectation: where it is in the test file, then what was
        /// expected and what came out, as lines.
        public var failures: [Failure]
        public var summary: String
        /// What came out, for writing expectations: windows per stage and key, every alert, dead letters.
        public var details: [String]
        public var passed: Bool { failures.isEmpty }
    }

    public struct Failure: Sendable, CustomStringConvertible {
        public var location: String
        public var lines: [String]
        public var description: String { ([location] + lines.map { "    " + $0 }).joined(separator: "\n") }
    }

    /// Why a file could not be run at all (the test file or its pipeline is invalid, an input
    /// file unreadable): exit status 2, as opposed to a failed expectation.
    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Loads `path` and runs every test in it, in order.
    public static func run(file path: String) throws -> [Outcome] {
        let file: PipelineTestFile
        do { file = try PipelineTestLoader.load(path: path) } catch { throw SetupError(description: error.description) }
        let plan: PipelinePlan
        do {
            plan = try PipelinePlan(spec: try PipelineLoader.load(path: file.pipeline, environment: file.environment))
        } catch let e as PipelineErrors {
            throw SetupError(description: "\(path): pipeline `\(file.pipelineWritten)` is invalid:\n\(e.description)")
        } catch {
            throw SetupError(description: "\(path): pipeline `\(file.pipelineWritten)` cannot run: \(error)")
        }
        return try file.tests.map { try run($0, plan: plan, file: file) }
    }

    /// Runs one test of `file` on a plan already built from its pipeline (a plan is immutable: one per file).
    public static func run(_ test: PipelineTestCase, plan: PipelinePlan, file: PipelineTestFile) throws -> Outcome {
        let driver = try PipelineDriver(plan: plan)
        for input in test.inputs { try feed(input, driver, file: file) }
        driver.finish()
        var failures: [Failure] = []
        let where_ = { (line: Int, column: Int) in "\(file.file):\(line):\(column)" }
        for e in test.expect.alerts {
            if let f = check(e, driver.alerts) { failures.append(Failure(location: where_(e.line, e.column), lines: f)) }
        }
        if test.expect.noOtherAlerts {
            let unexpected = driver.alerts.filter { a in !test.expect.alerts.contains { matches($0, a) } }
            if !unexpected.isEmpty {
                failures.append(Failure(location: "\(file.file):\(test.line): no_other_alerts",
                                        lines: ["expected: only the alerts listed", "got \(unexpected.count) more:"]
                                            + unexpected.prefix(10).map { "  " + describe($0) }
                                            + (unexpected.count > 10 ? ["  …"] : [])))
            }
        }
        for e in test.expect.windows {
            if let f = check(e, driver.windows) { failures.append(Failure(location: where_(e.line, e.column), lines: f)) }
        }
        if let expected = test.expect.deadLetters {
            let got = driver.deadLetterCounts
            let reasons = Set(expected.keys).union(got.keys).sorted()
            let wrong = reasons.filter { expected[$0, default: 0] != got[$0, default: 0] }
            if !wrong.isEmpty {
                failures.append(Failure(location: "\(file.file):\(test.expect.deadLettersLine): dead_letters",
                                        lines: ["reason            expected       got"]
                                            + wrong.map { pad($0, 18) + pad("\(expected[$0, default: 0])", 15) + "\(got[$0, default: 0])" }))
            }
        }
        let c = driver.counts
        let summary = "\(c.records) records, \(driver.alerts.count) alerts, \(driver.windows.count) windows, \(c.deadLetters.reduce(0, +)) dead letters"
        return Outcome(name: test.name, failures: failures, summary: summary, details: details(driver))
    }

    static func details(_ d: PipelineDriver) -> [String] {
        var lines: [String] = []
        var order: [String] = []
        var counts: [String: Int] = [:]
        for w in d.windows {
            let k = "\(w["stage"]?.stringValue ?? "?") key=\(w["key"]?.stringValue ?? "?")"
            if counts[k] == nil { order.append(k) }
            counts[k, default: 0] += 1
        }
        lines += order.map { "windows \($0): \(counts[$0]!)" }
        lines += d.alerts.map { "alert \($0.stage) " + describe($0) }
        lines += d.deadLetterCounts.sorted { $0.key < $1.key }.map { "dead letters \($0.key): \($0.value)" }
        return lines
    }

    // MARK: Inputs

    static func feed(_ input: PipelineTestInput, _ d: PipelineDriver, file: PipelineTestFile) throws {
        switch input {
        case let .records(records):
            for r in records {
                d.send(value: r.value, key: r.key.map { Array($0.utf8) }, topic: r.topic, partition: r.partition,
                       offset: r.offset, timestamp: r.timestamp)
            }
        case let .file(path, written, topic, partition):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SetupError(description: "\(file.file): cannot read input file `\(written)`")
            }
            for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
                var bytes = Array(line)
                if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                d.send(value: bytes, topic: topic, partition: partition)
            }
        case let .generate(stream, p, partition):
            let s: DemoStreams.Stream
            switch stream {
            case "credit-scores":
                s = DemoStreams.creditScores(records: p["records"] ?? 90_000, shiftAt: p["shift_at"] ?? 30_000,
                                             seed: UInt64(p["seed"] ?? 1))
            case "video-features":
                s = DemoStreams.videoFeatures(cameras: p["cameras"] ?? 3, framesPerCamera: p["frames_per_camera"] ?? 1_500,
                                              dimension: p["dimension"] ?? 128, seed: UInt64(p["seed"] ?? 2))
            default:
                s = DemoStreams.tokenLogs(records: p["records"] ?? 12_000, collapseAt: p["collapse_at"] ?? 2_500,
                                          collapseLength: p["collapse_length"] ?? 600, seed: UInt64(p["seed"] ?? 3))
            }
            d.send(s.records, partition: partition)
        }
    }

    // MARK: Alerts

    static func matches(_ e: AlertExpectation, _ a: Alert) -> Bool {
        guard a.stage == e.stage else { return false }
        if let k = e.key, a.key != k { return false }
        if let s = e.state, a.state != s { return false }
        if let s = e.severity, a.severity != s { return false }
        if let m = e.metric, a.metric != m { return false }
        if let r = e.rule, a.rule != r { return false }
        if let l = e.labels, a.labels != l { return false }
        return e.numbers.allSatisfy { $0.expected.matches(figure($0.name, of: a)) }
    }

    static func figure(_ name: String, of a: Alert) -> Double? {
        switch name {
        case "value": a.value
        case "se": a.se
        case "ci_low": a.ciLow
        case "ci_high": a.ciHigh
        case "p_value": a.pValue
        case "statistic": a.statistic
        case "threshold": a.threshold
        case "window.start_offset": Double(a.window.startOffset)
        case "window.end_offset": Double(a.window.endOffset)
        case "window.start_time": a.window.startTime.map(Double.init)
        case "window.end_time": a.window.endTime.map(Double.init)
        case "window.records": Double(a.window.records)
        default: nil
        }
    }

    static func check(_ e: AlertExpectation, _ alerts: [Alert]) -> [String]? {
        let n = alerts.filter { matches(e, $0) }.count
        if e.count.map({ n == $0 }) ?? (n > 0) { return nil }
        let want = e.count.map { "\($0)" } ?? "at least 1"
        let plural = e.count.map { $0 != 1 } ?? false
        var lines = ["expected: \(want) alert\(plural ? "s" : "") matching \(describe(e))", "got: \(n)"]
        let ofStage = alerts.filter { $0.stage == e.stage }
        if ofStage.isEmpty {
            lines.append("stage \(e.stage) produced no alerts" + (Set(alerts.map(\.stage)).isEmpty ? "" :
                " (stages that did: \(Set(alerts.map(\.stage)).sorted().joined(separator: ", ")))"))
        } else {
            lines.append("alerts of stage \(e.stage) (\(ofStage.count)):")
            lines += ofStage.prefix(12).map { "  " + describe($0) }
            if ofStage.count > 12 { lines.append("  … \(ofStage.count - 12) more") }
        }
        return lines
    }

    static func describe(_ e: AlertExpectation) -> String {
        var parts = ["stage=\(e.stage)"]
        if let k = e.key { parts.append("key=\(k)") }
        if let s = e.state { parts.append("state=\(s.rawValue)") }
        if let s = e.severity { parts.append("severity=\(s)") }
        if let m = e.metric { parts.append("metric=\(m)") }
        if let r = e.rule { parts.append("rule=\(r)") }
        for (name, x) in e.numbers { parts.append("\(name) \(x)") }
        if let l = e.labels { parts.append("labels=\(AlertLabels.canonical(l))") }
        return parts.joined(separator: " ")
    }

    static func describe(_ a: Alert) -> String {
        var s = "\(a.state.rawValue) key=\(a.key) severity=\(a.severity) \(a.metric)=\(AlertFormatting.short(a.value))"
        if let p = a.pValue { s += " p_value=\(AlertFormatting.short(p))" }
        s += " window=\(a.window.startOffset)..\(a.window.endOffset)"
        if !a.labels.isEmpty { s += " labels=\(AlertLabels.canonical(a.labels))" }
        return s
    }

    // MARK: Windows

    static func check(_ e: WindowExpectation, _ all: [JSONValue]) -> [String]? {
        let windows = all.filter { $0["stage"]?.stringValue == e.stage && (e.key == nil || $0["key"]?.stringValue == e.key) }
        let what = "windows of stage \(e.stage)" + (e.key.map { " key \($0)" } ?? "")
        var lines: [String] = []
        if let c = e.count, windows.count != c { lines += ["\(what): expected \(c), got \(windows.count)"] }
        guard !e.figures.isEmpty else { return lines.isEmpty ? nil : lines }
        var indices: [Int]
        if let at = e.at {
            let i = at < 0 ? windows.count + at : at
            guard i >= 0 && i < windows.count else {
                return lines + ["\(what): expected a window at index \(at), got \(windows.count) windows"]
            }
            indices = [i]
        } else if let r = e.range {
            guard r.upperBound < windows.count else {
                return lines + ["\(what): expected windows \(r.lowerBound)...\(r.upperBound), got \(windows.count) windows"]
            }
            indices = Array(r)
        } else {
            indices = Array(windows.indices)
            if indices.isEmpty { return lines + ["\(what): expected figures, got no windows"] }
        }
        for i in indices {
            let w = windows[i]
            for (name, x) in e.figures {
                let v = w["figures"]?[name]?.doubleValue
                guard !x.matches(v) else { continue }
                let got = v.map { AlertFormatting.short($0) == "\($0)" ? "\($0)" : "\($0) (\(AlertFormatting.short($0)))" }
                    ?? "no figure `\(name)` (figures: \(figureNames(w)))"
                let start = w["window"]?["start_offset"]?.int64Value.map { " @\($0)" } ?? ""
                lines.append("window \(i)\(start) \(name): expected \(x), got \(got)")
            }
        }
        if lines.count > 12 { lines = Array(lines.prefix(12)) + ["… \(lines.count - 12) more"] }
        return lines.isEmpty ? nil : lines
    }

    static func figureNames(_ w: JSONValue) -> String {
        guard case let .object(members)? = w["figures"] else { return "none" }
        return members.map(\.name).joined(separator: ", ")
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
}
