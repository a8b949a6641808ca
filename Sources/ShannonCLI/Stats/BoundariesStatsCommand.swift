import ShannonCore
import ArgumentParser
import ShannonStats

/// `shannon stats boundaries`: online event boundaries of a (multi-dimensional) series.
struct BoundariesStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boundaries",
        abstract: "Online event boundaries (On-GEBD) of a numeric series.",
        discussion: """
        Reads a TCPD series file (--series) or the named numeric columns of a CSV / JSON-lines file (--data, --fields), runs the online detector record by record (no look-ahead) and prints the boundary positions (0-based: the first record of each new event) as JSON, or one row per boundary with its evidence as CSV or an aligned table (--format). Missing values (empty, NA, null) are carried forward from the previous record. The defaults are the parameter set chosen on the TCPD development series (docs/statistics-entropy-boundaries.md).

        Example:
          shannon stats boundaries --series ../shared/data/changepoints/nile.json
          shannon stats boundaries --data sensors.csv --fields temp,pressure --tau 6
          shannon stats boundaries --series nile.json --format table
        """
    )

    @Option(help: "A TCPD series file (JSON with `series[].raw`).") var series: String?
    @Option(help: "Input file: CSV with a header, or JSON lines.") var data: String?
    @Option(help: "Comma-separated numeric fields of --data forming the vector.") var fields: String?
    @Flag(help: "Also print the evidence of every boundary (error, z, mu, sigma, event length) in JSON.") var details = false
    @Option(help: "Output format: json, csv or table (csv and table: one row per boundary with its evidence).")
    var format: OutputFormat = .json
    @OptionGroup var detector: BoundaryOptions

    func validate() throws {
        guard (series == nil) != (data == nil) else { throw ValidationError("give exactly one of --series or --data") }
        if data != nil && (fields ?? "").isEmpty { throw ValidationError("--data needs --fields a,b,…") }
    }

    func run() throws {
        let parameters = try detector.parameters()
        let rows: [[Double?]]
        if let series {
            rows = try TCPDSeriesFile.readTCPDSeries(path: series).rows
        } else {
            let table = try StatsTable.read(path: data!)
            let names = fields!.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let columns = try names.map { try table.doubles($0) }
            rows = (0..<table.count).map { i in columns.map { $0[i].isNaN ? nil : $0[i] } }
        }
        let found = detectBoundaries(rows, parameters: parameters)
        let header = ["position", "error", "z", "mu", "sigma", "event_length", "p_value"]
        let evidence: [[JSONValue]] = found.map { b in
            [.integer(b.position), .number(b.error), .number(b.z), .number(b.mu), .number(b.sigma),
             .integer(b.eventLength), b.pValue.map(JSONValue.number) ?? .null]
        }
        if format != .json {
            let top: [(String, JSONValue)] = [("n_obs", .integer(rows.count)), ("boundaries", .integer(found.count)),
                                              ("parameters", .string(parameters.summary))]
            printHeadlineAndRows(top, header: header, rows: evidence, rowsKey: "details", format: format)
            return
        }
        var pairs: [(String, JSONValue)] = [
            ("boundaries", .array(found.map { .integer($0.position) })),
            ("n_obs", .integer(rows.count)),
            ("parameters", parameters.json),
        ]
        if details { pairs.append(("details", .array(evidence.map { .fields(Array(zip(header, $0))) }))) }
        print(StatsOutput.json(.fields(pairs)))
    }
}
