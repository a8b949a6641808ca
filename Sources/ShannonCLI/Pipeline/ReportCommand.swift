import ArgumentParser
import ShannonReport

/// `shannon report`: windows and alerts (JSON lines) to one self-contained HTML page of charts.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report with charts from captured windows and alerts.",
        discussion: """
        Reads the records of a pipeline's windows sink (`sinks.windows`) and of its alerts topic, \
        as JSON lines exactly as Shannon produces them, and writes one HTML file with every chart \
        inline (SVG and CSS, nothing fetched from the network). There is one chart per stage, key \
        and partition: PSI, IV or Jeffreys divergence with its confidence band and the alert \
        threshold; entropy with the baseline band its z-score rule judged against and collapses \
        and surges marked; event boundaries as stems of their z. A table of all alerts follows.

        Long series are thinned to --max-points per chart (the lowest and highest value of each \
        run of windows, and every window that has an alert); the chart says when it is. Pass the \
        pipeline files with --pipeline so thresholds and baseline parameters come from the rules \
        themselves; without them they are taken from the alerts and the defaults.

        `-` reads standard input (one of --windows and --alerts) or writes standard output.

        Examples:
          kcat -C -b $BOOTSTRAP -t shannon-windows -o beginning -e -q > windows.jsonl
          shannon alerts --from-beginning --json > alerts.jsonl
          shannon report --windows windows.jsonl --alerts alerts.jsonl
          shannon report --windows windows.jsonl --alerts alerts.jsonl \\
              --pipeline pipelines/llm-token-entropy.yaml --output entropy.html
          shannon alerts --from-beginning --json | shannon report --alerts - -o -
        """
    )

    @Option(help: "JSON lines from a windows sink (`-`: standard input).")
    var windows: String?

    @Option(help: "JSON lines from an alerts topic (`-`: standard input).")
    var alerts: String?

    @Option(name: [.short, .long], help: "The HTML file to write (`-`: standard output).")
    var output = "report.html"

    @Option(name: .customLong("pipeline"), help: "A pipeline file whose alert rules give thresholds and baselines (repeatable).")
    var pipelines: [String] = []

    @Option(help: "Points drawn per chart at most; longer series are thinned, keeping every alert.")
    var maxPoints = 2000

    @Option(help: "The page title.")
    var title = "Shannon report"

    var options: ReportOptions {
        ReportOptions(windowsPath: windows, alertsPath: alerts, outputPath: output, pipelinePaths: pipelines,
                      maxPoints: maxPoints, title: title)
    }

    func validate() throws {
        let errors = options.validationErrors()
        if !errors.isEmpty { throw ValidationError(errors.joined(separator: "; ")) }
    }

    func run() throws {
        let summary = try HTMLReport.run(options) // a ReportError prints as `Error: <message>`
        if output != "-" {
            print("wrote \(output): \(summary.charts) charts from \(summary.windows) windows and \(summary.alerts) alerts (\(summary.bytes) bytes)")
        }
    }
}
