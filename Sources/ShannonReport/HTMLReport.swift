import Foundation
import ShannonCore

/// What `shannon report` is asked to do. `-` as a path means standard input (or output).
public struct ReportOptions: Equatable, Sendable {
    /// JSON lines from a windows sink; nil: none (the charts are then made of alerts alone).
    public var windowsPath: String?
    /// JSON lines from an alerts topic; nil: none (no marks, no table).
    public var alertsPath: String?
    public var outputPath: String
    /// Pipeline files whose alert rules give thresholds and baseline parameters (optional).
    public var pipelinePaths: [String]
    /// Points drawn per chart at most; longer series are thinned (see `Downsample`).
    public var maxPoints: Int
    public var title: String

    public init(windowsPath: String? = nil, alertsPath: String? = nil, outputPath: String = "report.html",
                pipelinePaths: [String] = [], maxPoints: Int = 2000, title: String = "Shannon report") {
        self.windowsPath = windowsPath
        self.alertsPath = alertsPath
        self.outputPath = outputPath
        self.pipelinePaths = pipelinePaths
        self.maxPoints = maxPoints
        self.title = title
    }

    /// Problems with these options, as sentences naming the flag; empty when usable.
    public func validationErrors() -> [String] {
        var errors: [String] = []
        if windowsPath == nil && alertsPath == nil { errors.append("give --windows FILE, --alerts FILE or both") }
        if windowsPath == "-" && alertsPath == "-" { errors.append("only one of --windows and --alerts can read standard input") }
        if maxPoints < 4 { errors.append("--max-points must be at least 4, got \(maxPoints)") }
        return errors
    }
}

/// What a report run produced, for the command to print.
public struct ReportSummary: Equatable, Sendable {
    public var windows: Int
    public var alerts: Int
    public var charts: Int
    public var bytes: Int
}

/// Why a report could not be made.
public struct ReportError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
    public init(_ message: String) { self.message = message }
}

/// `shannon report` as a library: windows and alerts in, one self-contained HTML page out.
public enum HTMLReport {
    /// The page for already-parsed input.
    public static func html(windows: [WindowRecord], alerts: [Alert], rules: StageRules = StageRules(),
                            options: ReportOptions = ReportOptions()) -> String {
        page(windows: windows, alerts: alerts, series: SeriesBuilder.build(windows: windows, alerts: alerts, rules: rules),
             options: options)
    }

    static func page(windows: [WindowRecord], alerts: [Alert], series: [Series], options: ReportOptions) -> String {
        let inputs = [options.windowsPath.map { $0 == "-" ? "standard input" : $0 },
                      options.alertsPath.map { $0 == "-" ? "standard input" : $0 }].compactMap { $0 }
        return ReportPage(title: options.title, inputs: inputs.isEmpty ? ["memory"] : inputs, windowCount: windows.count,
                          alerts: alerts, series: series, maxPoints: options.maxPoints).render()
    }

    /// The chart data behind a page (for tests and for callers that draw their own).
    public static func series(windows: [WindowRecord], alerts: [Alert], rules: StageRules = StageRules()) -> [Series] {
        SeriesBuilder.build(windows: windows, alerts: alerts, rules: rules)
    }

    /// Reads the inputs, renders, writes the page; `readStandardInput` is called at most once.
    public static func run(_ options: ReportOptions,
                           readStandardInput: () -> [UInt8] = { Array(FileHandle.standardInput.readDataToEndOfFile()) },
                           writeStandardOutput: (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) })
        throws -> ReportSummary {
        let errors = options.validationErrors()
        guard errors.isEmpty else { throw ReportError(errors.joined(separator: "; ")) }
        func bytes(_ path: String) throws -> [UInt8] {
            if path == "-" { return readStandardInput() }
            guard let data = FileManager.default.contents(atPath: path) else { throw ReportError("cannot read \(path)") }
            return Array(data)
        }
        do {
            let windows = try options.windowsPath.map { try JSONLines.windows(try bytes($0), file: $0 == "-" ? "<stdin>" : $0) } ?? []
            let alerts = try options.alertsPath.map { try JSONLines.alerts(try bytes($0), file: $0 == "-" ? "<stdin>" : $0) } ?? []
            var specs: [PipelineSpec] = []
            for p in options.pipelinePaths {
                do { specs.append(try PipelineLoader.load(path: p)) } catch { throw ReportError("\(error)") }
            }
            let rules = StageRules(specs: specs)
            let series = SeriesBuilder.build(windows: windows, alerts: alerts, rules: rules)
            let page = page(windows: windows, alerts: alerts, series: series, options: options)
            if options.outputPath == "-" {
                writeStandardOutput(page)
            } else {
                do {
                    try Data(page.utf8).write(to: URL(fileURLWithPath: options.outputPath), options: .atomic)
                } catch {
                    throw ReportError("cannot write \(options.outputPath): \(error.localizedDescription)")
                }
            }
            return ReportSummary(windows: windows.count, alerts: alerts.count, charts: series.count, bytes: page.utf8.count)
        } catch let e as ReportInputError {
            throw ReportError(e.message)
        }
    }
}
