import ArgumentParser
import ShannonCore

// The stats commands' output:
//   StatsOutput.json(.fields([("psi", .number(0.1)), …]))      // ordered keys, "inf"/"nan" strings
//   StatsOutput.csv(header: [...], rows: [[JSONValue]])
//   StatsOutput.table(header: [...], rows: [[JSONValue]])     // aligned text for humans
//   OutputFormat: ExpressibleByArgument (json | csv | table), `--format` option.

/// Output formats of the stats commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case json, csv, table
}

/// The commands' values are the alerts' JSON values; these spell the common ones briefly.
extension JSONValue {
    static func integer(_ v: some BinaryInteger) -> JSONValue { .int(Int64(v)) }
    /// An object with members in the order given (headline figures first).
    static func fields(_ pairs: [(String, JSONValue)]) -> JSONValue { .object(pairs.map { JSONMember($0, $1) }) }

    /// Text for CSV and table cells; doubles print shortest-round-trip.
    var plain: String {
        switch self {
        case let .number(d): return StatsOutput.format(d)
        case let .int(i): return String(i)
        case let .string(s): return s
        case let .bool(b): return b ? "true" : "false"
        case .null: return ""
        case .array, .object: return StatsOutput.json(self)
        }
    }
}

enum StatsOutput {
    /// Shortest round-trip text; non-finite as "inf", "-inf", "nan".
    static func format(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        return d.description
    }

    /// Compact-ish JSON with ordered keys; non-finite numbers become the strings "inf", "-inf",
    /// "nan" (strict JSON has no such numbers).
    static func json(_ v: JSONValue, indent: Int = 0, pretty: Bool = true) -> String {
        var out = ""
        write(v, to: &out, indent: indent, pretty: pretty)
        return out
    }

    private static func write(_ v: JSONValue, to out: inout String, indent: Int, pretty: Bool) {
        switch v {
        case let .number(d):
            out += d.isFinite ? d.description : "\"\(format(d))\""
        case let .int(i): out += String(i)
        case let .string(s): out += quoted(s)
        case let .bool(b): out += b ? "true" : "false"
        case .null: out += "null"
        case let .array(items):
            // Arrays of scalars stay on one line; arrays of objects get one item per line.
            let nested = items.contains { if case .object = $0 { return true } else { return false } }
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                if pretty && nested { out += "\n" + String(repeating: "  ", count: indent + 1) }
                write(item, to: &out, indent: indent + 1, pretty: pretty && !nested ? false : pretty)
            }
            if pretty && nested { out += "\n" + String(repeating: "  ", count: indent) }
            out += "]"
        case let .object(members):
            if members.isEmpty { out += "{}"; return }
            let top = pretty && indent == 0
            out += "{"
            for (i, member) in members.enumerated() {
                let (k, item) = (member.name, member.value)
                if i > 0 { out += top ? "," : ", " }
                if top { out += "\n  " }
                out += quoted(k) + ": "
                write(item, to: &out, indent: indent + 1, pretty: pretty)
            }
            if top { out += "\n" }
            out += "}"
        }
    }

    /// A JSON string literal (the writer the alerts use).
    static func quoted(_ s: String) -> String {
        var w = JSONWriter()
        w.string(s)
        return w.string
    }

    /// RFC 4180 CSV text.
    static func csv(header: [String], rows: [[JSONValue]]) -> String {
        func cell(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines = [header.map(cell).joined(separator: ",")]
        for r in rows { lines.append(r.map { cell($0.plain) }.joined(separator: ",")) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Aligned columns for a terminal (numbers right-aligned).
    static func table(header: [String], rows: [[JSONValue]]) -> String {
        let cells = rows.map { $0.map(\.plain) }
        var widths = header.map(\.count)
        for r in cells { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ r: [String], numeric: [Bool]) -> String {
            r.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return numeric[i] ? pad + c : c + pad
            }.joined(separator: "  ")
        }
        let numeric = header.indices.map { i in
            rows.allSatisfy { r in
                switch r[i] { case .number, .int: true; default: false }
            }
        }
        var out = [line(header, numeric: numeric)]
        out.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for r in cells { out.append(line(r, numeric: numeric)) }
        return out.joined(separator: "\n") + "\n"
    }
}

/// Prints a result that is a headline and a table of rows (a drift test and its bins, the
/// boundaries found and their evidence): JSON (the headline's fields plus the rows under
/// `rowsKey`), CSV (the headline as `key,value` rows, a blank line, then the table) or aligned text.
func printHeadlineAndRows(_ headline: [(String, JSONValue)], header: [String], rows: [[JSONValue]],
                          rowsKey: String, format: OutputFormat) {
    switch format {
    case .json:
        let table = JSONValue.array(rows.map { row in .fields(Array(zip(header, row))) })
        print(StatsOutput.json(.fields(headline + [(rowsKey, table)])))
    case .csv:
        print(StatsOutput.csv(header: ["key", "value"], rows: headline.map { [.string($0.0), $0.1] }), terminator: "")
        print()
        print(StatsOutput.csv(header: header, rows: rows), terminator: "")
    case .table:
        for (k, v) in headline { print("\(k.padding(toLength: 18, withPad: " ", startingAt: 0)) \(v.plain)") }
        print()
        print(StatsOutput.table(header: header, rows: rows), terminator: "")
    }
}
