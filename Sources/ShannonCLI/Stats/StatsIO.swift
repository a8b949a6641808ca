import ArgumentParser
import Foundation

// Shared file reading and output for `shannon stats …` commands (not the daemon's hot path:
// Foundation is fine here). API:
//   let table = try StatsTable.read(path: "scores.csv")       // CSV with header, or JSON lines
//   let xs: [Double] = try table.doubles("score")              // empty/null/NA/non-numeric → NaN
//   let labels: [String?] = try table.strings("label")         // nil for missing/null
//   StatsOutput.json(.object([("psi", .number(0.1)), …]))      // ordered keys, "inf"/"nan" strings
//   StatsOutput.csv(header: [...], rows: [[StatsValue]])
//   StatsOutput.table(header: [...], rows: [[StatsValue]])     // aligned text for humans
//   OutputFormat: ExpressibleByArgument (json | csv | table), `--format` option.

/// Output formats of the stats commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case json, csv, table
}

/// Errors of the stats commands' input handling.
struct StatsInputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A file's records as columns of cells: a CSV file with a header line, or JSON lines (one
/// object per line; a field may be a dotted path into nested objects, e.g. `features.score`).
struct StatsTable {
    enum Kind: String { case csv, jsonl }

    let path: String
    let kind: Kind
    /// CSV: header names; JSON lines: keys of the first object (informative only).
    let columns: [String]
    /// CSV rows (cells as text) — empty for JSON lines.
    private let csvRows: [[String]]
    /// JSON lines objects — empty for CSV.
    private let objects: [[String: Any]]

    var count: Int { kind == .csv ? csvRows.count : objects.count }

    /// Reads `path`; `.csv` is CSV, `.jsonl`/`.ndjson`/`.json` is JSON lines; otherwise the
    /// first non-blank character decides (`{` → JSON lines).
    static func read(path: String) throws -> StatsTable {
        guard var data = FileManager.default.contents(atPath: path) else {
            throw StatsInputError("cannot read \(path)")
        }
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data = data.dropFirst(3) } // UTF-8 byte-order mark
        let lower = path.lowercased()
        let kind: Kind
        if lower.hasSuffix(".csv") {
            kind = .csv
        } else if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") {
            kind = .jsonl
        } else {
            let first = data.first { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
            kind = first == UInt8(ascii: "{") ? .jsonl : .csv
        }
        switch kind {
        case .csv:
            let rows = CSVParser.parse([UInt8](data))
            guard let header = rows.first else { throw StatsInputError("\(path): empty CSV (a header line is needed)") }
            let body = rows.dropFirst().filter { !($0.count == 1 && $0[0].isEmpty) } // skip blank lines
            return StatsTable(path: path, kind: .csv, columns: header.map { $0.trimmingCharacters(in: .whitespaces) },
                              csvRows: Array(body), objects: [])
        case .jsonl:
            var objects: [[String: Any]] = []
            var lineNumber = 0
            for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
                lineNumber += 1
                let trimmed = line.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
                if trimmed.isEmpty { continue }
                guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed)) as? [String: Any] else {
                    throw StatsInputError("\(path):\(lineNumber): not a JSON object")
                }
                objects.append(object)
            }
            return StatsTable(path: path, kind: .jsonl, columns: objects.first.map { Array($0.keys).sorted() } ?? [],
                              csvRows: [], objects: objects)
        }
    }

    /// The column as text: nil where the field is absent, empty or null.
    func strings(_ field: String) throws -> [String?] {
        switch kind {
        case .csv:
            guard let index = columns.firstIndex(of: field) else {
                throw StatsInputError("\(path): no column '\(field)' (columns: \(columns.joined(separator: ", ")))")
            }
            return csvRows.map { row in
                guard index < row.count else { return nil }
                let cell = row[index].trimmingCharacters(in: .whitespaces)
                return cell.isEmpty ? nil : cell
            }
        case .jsonl:
            var seen = false
            let values = objects.map { object -> String? in
                guard let v = Self.lookup(object, path: field) else { return nil }
                seen = true
                return Self.text(v)
            }
            guard seen || objects.isEmpty else { throw StatsInputError("\(path): no record has a field '\(field)'") }
            return values
        }
    }

    /// The column as numbers: absent, null, empty, "NA"/"NaN" and non-numeric cells become NaN
    /// (the caller counts them in a missing bin or skips them as bad records).
    func doubles(_ field: String) throws -> [Double] {
        try strings(field).map { s in s.flatMap(Double.init) ?? .nan }
    }

    private static func lookup(_ object: [String: Any], path: String) -> Any? {
        if let direct = object[path] { return direct }
        var current: Any = object
        for part in path.split(separator: ".") {
            guard let dict = current as? [String: Any], let next = dict[String(part)] else { return nil }
            current = next
        }
        return current
    }

    private static func text(_ v: Any) -> String? {
        switch v {
        case is NSNull: return nil
        case let s as String: return s.isEmpty ? nil : s
        case let n as NSNumber:
            // JSON booleans arrive as NSNumber too; their Objective-C type code is "c".
            if String(cString: n.objCType) == "c" { return n.boolValue ? "true" : "false" }
            return n.stringValue
        default: return String(describing: v)
        }
    }
}

/// RFC 4180 CSV: comma-separated, double-quoted fields with "" for a quote, CRLF or LF.
enum CSVParser {
    static func parse(_ bytes: [UInt8]) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var i = 0
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == quote {
                    if i + 1 < bytes.count && bytes[i + 1] == quote {
                        field.append(quote)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(b)
                }
            } else if b == quote {
                inQuotes = true
            } else if b == comma {
                endField()
            } else if b == lf || b == cr {
                endField()
                rows.append(row)
                row.removeAll()
                if b == cr && i + 1 < bytes.count && bytes[i + 1] == lf { i += 1 }
            } else {
                field.append(b)
            }
            i += 1
        }
        if !field.isEmpty || !row.isEmpty {
            endField()
            rows.append(row)
        }
        return rows
    }
}

/// A value in the commands' output; doubles print shortest-round-trip (Swift's `description`).
indirect enum StatsValue {
    case number(Double)
    case integer(Int64)
    case string(String)
    case bool(Bool)
    case null
    case array([StatsValue])
    /// Keys in the order given (headline figures first).
    case object([(String, StatsValue)])

    static func int(_ v: Int) -> StatsValue { .integer(Int64(v)) }

    /// Text for CSV and table cells.
    var plain: String {
        switch self {
        case let .number(d): return StatsOutput.format(d)
        case let .integer(i): return String(i)
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
    static func json(_ v: StatsValue, indent: Int = 0, pretty: Bool = true) -> String {
        var out = ""
        write(v, to: &out, indent: indent, pretty: pretty)
        return out
    }

    private static func write(_ v: StatsValue, to out: inout String, indent: Int, pretty: Bool) {
        switch v {
        case let .number(d):
            out += d.isFinite ? d.description : "\"\(format(d))\""
        case let .integer(i): out += String(i)
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
        case let .object(pairs):
            if pairs.isEmpty { out += "{}"; return }
            let top = pretty && indent == 0
            out += "{"
            for (i, (k, item)) in pairs.enumerated() {
                if i > 0 { out += top ? "," : ", " }
                if top { out += "\n  " }
                out += quoted(k) + ": "
                write(item, to: &out, indent: indent + 1, pretty: pretty)
            }
            if top { out += "\n" }
            out += "}"
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    out += String(format: "\\u%04x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// RFC 4180 CSV text.
    static func csv(header: [String], rows: [[StatsValue]]) -> String {
        func cell(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines = [header.map(cell).joined(separator: ",")]
        for r in rows { lines.append(r.map { cell($0.plain) }.joined(separator: ",")) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Aligned columns for a terminal (numbers right-aligned).
    static func table(header: [String], rows: [[StatsValue]]) -> String {
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
                switch r[i] { case .number, .integer: true; default: false }
            }
        }
        var out = [line(header, numeric: numeric)]
        out.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for r in cells { out.append(line(r, numeric: numeric)) }
        return out.joined(separator: "\n") + "\n"
    }
}
