import Foundation
import ShannonCore

// Reading the stats commands' input (not the daemon's hot path: Foundation is fine here).
//   let table = try StatsTable.read(path: "scores.csv")       // CSV with header, or JSON lines
//   let xs: [Double] = try table.doubles("score")              // empty/null/NA/non-numeric → NaN
//   let labels: [String?] = try table.strings("label")         // nil for missing/null

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
            let rows = CSVReader.rows([UInt8](data))
            guard let header = rows.first?.cells else { throw StatsInputError("\(path): empty CSV (a header line is needed)") }
            for row in rows.dropFirst() where row.cells.count > header.count {
                throw StatsInputError("\(path):\(row.line): \(row.cells.count) cells, the header names \(header.count)")
            }
            return StatsTable(path: path, kind: .csv, columns: header.map { $0.trimmingCharacters(in: .whitespaces) },
                              csvRows: rows.dropFirst().map(\.cells), objects: [])
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
