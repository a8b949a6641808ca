import ShannonCore
import ArgumentParser
import ShannonStats

/// `shannon stats iv`: Weight of Evidence per bin and Information Value of a field.
struct DriftIVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iv",
        abstract: "Weight of Evidence and Information Value of a field against a good/bad label.",
        discussion: """
        Bins come from the field's own quantiles over the file (or --edges). Per bin: WoE = ln(g_i / b_i) (positive = safer than average) with its standard error; overall IV = sum (g_i - b_i) WoE_i, the Jeffreys divergence between goods and bads, with the PSI standard error and chi-square test (goods in the role of the current sample, bads of the reference). Reading: < 0.02 useless, 0.02–0.1 weak, 0.1–0.3 medium, > 0.3 strong.

        A record is bad when its label equals --bad-value (compared as numbers when both are numeric, so 1 and 1.0 match; JSON true matches "true"); records without a label are skipped.

        Example:
          shannon stats iv --data loans.csv --field income --label default
          shannon stats iv --data events.jsonl --field features.score \\
              --label outcome --bad-value bad --format table
        """
    )

    @Option(help: "Labelled records (CSV with header, or JSON lines).")
    var data: String

    @Option(help: "Field (column) to bin.")
    var field: String

    @Option(help: "Label field.")
    var label: String

    @Option(help: "Label value that marks a bad record.")
    var badValue: String = "1"

    @OptionGroup var options: DriftOptions

    func run() throws {
        let table = try StatsTable.read(path: data)
        let xs = try table.doubles(field)
        let labels = try table.strings(label)
        let badNumber = Double(badValue)
        func isBad(_ s: String) -> Bool {
            if let badNumber, let v = Double(s) { return v == badNumber }
            return s == badValue
        }
        var labelled: [(Double, Bool)] = []
        var skippedLabel = 0
        for (x, l) in zip(xs, labels) {
            guard let l else { skippedLabel += 1; continue }
            labelled.append((x, isBad(l)))
        }
        let binning = try options.binning(from: labelled.map(\.0))
        var acc = WoEAccumulator(binning: binning)
        var skippedValue = 0
        for (x, bad) in labelled where !acc.add(x, isBad: bad) { skippedValue += 1 }
        let r = acc.result(smoothing: options.smoothing, confidence: options.confidence)
        var top = headline("iv", r.test)
        top += [("field", .string(field)), ("label", .string(label)), ("bad_value", .string(badValue)),
                ("goods", .number(r.goodTotal)), ("bads", .number(r.badTotal)),
                ("skipped_no_label", .integer(skippedLabel)), ("skipped_value", .integer(skippedValue))]
        let header = ["bin", "lower", "upper", "missing", "goods", "bads", "g", "b", "woe", "woe_se", "contribution"]
        let rows: [[JSONValue]] = r.bins.enumerated().map { i, b in
            [.integer(i), edgeValue(b.lower), edgeValue(b.upper), .bool(b.isMissing), .integer(b.goods), .integer(b.bads),
             .number(b.g), .number(b.b), .number(b.woe), .number(b.woeSE), .number(b.contribution)]
        }
        printHeadlineAndRows(top, header: header, rows: rows, rowsKey: "bins", format: options.format)
    }
}
