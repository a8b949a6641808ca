import ShannonCore
import ArgumentParser
import ShannonStats

/// `shannon stats psi`: Population Stability Index of one field between two files.
struct DriftPSICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psi",
        abstract: "Population Stability Index of a field between a reference file and a current file.",
        discussion: """
        Bins come from the reference (deciles by default, or --edges); PSI is the Jeffreys divergence sum (p_i - q_i) ln(p_i/q_i) of the smoothed bin proportions. The output carries the standard error (delta method plus the null-law variance; `se_delta` is the delta-only figure), the interval PSI ± z·SE, the test statistic T = PSI·n·m/(n+m) (or n·PSI with --fixed-reference), its chi-square(B-1) p-value and the bin table. Reading: < 0.10 stable, 0.10–0.25 moderate shift, > 0.25 major shift.

        Files are CSV with a header line or JSON lines (by extension .csv / .jsonl / .json, else by content). Values that are empty or not numbers are skipped (and counted) unless --missing-bin puts them in a bin of their own.

        Example:
          shannon stats psi --reference train.csv --current today.jsonl \\
              --field score --bins 10
          shannon stats psi --reference a.csv --current b.csv --field age \\
              --edges 25,35,50,65 --format table
        """
    )

    @Option(help: "Reference sample (CSV with header, or JSON lines).")
    var reference: String

    @Option(help: "Current sample (CSV with header, or JSON lines).")
    var current: String

    @Option(help: "Field (column) to compare; a dotted path reaches into nested JSON objects.")
    var field: String

    @Flag(help: "The reference is a known distribution, not a sample: drop its variance, T = n·PSI.")
    var fixedReference = false

    @OptionGroup var options: DriftOptions

    func run() throws {
        let ref = try StatsTable.read(path: reference).doubles(field)
        let cur = try StatsTable.read(path: current).doubles(field)
        let binning = try options.binning(from: ref)
        var acc = PSIAccumulator(binning: binning, referenceSample: ref)
        var skippedCurrent = 0
        for x in cur where !acc.add(x) { skippedCurrent += 1 }
        let skippedReference = ref.count - Int(acc.referenceTotal)
        let r = acc.result(smoothing: options.smoothing, fixedReference: fixedReference, confidence: options.confidence)
        var top = headline("psi", r.test)
        top += [("fixed_reference", .bool(fixedReference)), ("field", .string(field)),
                ("n_reference", .number(r.referenceTotal)), ("n_current", .number(r.currentTotal)),
                ("skipped_reference", .integer(skippedReference)), ("skipped_current", .integer(skippedCurrent))]
        let header = ["bin", "lower", "upper", "missing", "reference_count", "current_count", "q", "p", "contribution"]
        let rows: [[JSONValue]] = r.bins.enumerated().map { i, b in
            [.integer(i), edgeValue(b.lower), edgeValue(b.upper), .bool(b.isMissing), .number(b.countQ),
             .number(b.countP), .number(b.q), .number(b.p), .number(b.contribution)]
        }
        printHeadlineAndRows(top, header: header, rows: rows, rowsKey: "bins", format: options.format)
    }
}
