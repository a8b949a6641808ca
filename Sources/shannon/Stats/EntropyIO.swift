import Foundation

/// Reads the files `stats entropy` and `stats boundaries` take: CSV with a header, JSON lines,
/// or a TCPD series file. CLI-only (Foundation is fine here, never on the daemon's hot path).
enum EntropyIO {
    struct InputError: Error, CustomStringConvertible {
        var description: String
    }

    /// A table of records: column names and, per row, each column's text (`nil` when missing or
    /// JSON null). JSON numbers are rendered as text and parsed back by the caller.
    struct Table {
        var columns: [String]
        var rows: [[String?]]

        func column(_ name: String) throws -> Int {
            guard let i = columns.firstIndex(of: name) else {
                throw InputError(description: "no field '\(name)' (fields: \(columns.joined(separator: ", ")))")
            }
            return i
        }
    }

    static func readTable(path: String) throws -> Table {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(description: "cannot read \(path)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let firstChar = text.first(where: { !$0.isWhitespace })
        if firstChar == "{" { return try readJSONLines(text, path: path) }
        return try readCSV(text, path: path)
    }

    /// JSON lines: one object per line; columns are the union of keys in first-seen order.
    static func readJSONLines(_ text: String, path: String) throws -> Table {
        var columns: [String] = []
        var index: [String: Int] = [:]
        var objects: [[String: Any]] = []
        for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let obj = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else {
                throw InputError(description: "\(path):\(n + 1): not a JSON object")
            }
            for key in obj.keys.sorted() where index[key] == nil {
                index[key] = columns.count
                columns.append(key)
            }
            objects.append(obj)
        }
        let rows: [[String?]] = objects.map { obj in
            columns.map { key in
                guard let v = obj[key], !(v is NSNull) else { return nil }
                if let s = v as? String { return s }
                if let n = v as? NSNumber { return n.stringValue }
                return "\(v)"
            }
        }
        return Table(columns: columns, rows: rows)
    }

    /// RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines. Empty fields and
    /// `NA`/`null` are missing.
    static func readCSV(_ text: String, path: String) throws -> Table {
        var records: [[String]] = []
        var field = ""
        var record: [String] = []
        var inQuotes = false
        var chars = Array(text.unicodeScalars)[...]
        func endField() { record.append(field); field = "" }
        func endRecord() {
            endField()
            if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
            record = []
        }
        while let c = chars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if chars.first == "\"" { field.unicodeScalars.append("\""); chars.removeFirst() } else { inQuotes = false }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                inQuotes = true
            } else if c == "," {
                endField()
            } else if c == "\n" {
                endRecord()
            } else if c == "\r" {
                if chars.first == "\n" { chars.removeFirst() }
                endRecord()
            } else {
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw InputError(description: "\(path): unterminated quoted field") }
        if !field.isEmpty || !record.isEmpty { endRecord() }
        guard let header = records.first else { throw InputError(description: "\(path): empty file") }
        let rows: [[String?]] = try records.dropFirst().enumerated().map { n, r in
            guard r.count == header.count else {
                throw InputError(description: "\(path):\(n + 2): \(r.count) fields, header has \(header.count)")
            }
            return r.map { v in v.isEmpty || v == "NA" || v == "null" ? nil : v }
        }
        return Table(columns: header, rows: rows)
    }

    /// A TCPD series file: `series[].raw` as rows of per-dimension values (`nil` = missing).
    struct Series {
        var name: String
        var labels: [String]
        var rows: [[Double?]]
    }

    static func readTCPDSeries(path: String) throws -> Series {
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let series = root["series"] as? [[String: Any]], !series.isEmpty
        else { throw InputError(description: "\(path): not a TCPD series file (needs a `series` list)") }
        var columns: [[Double?]] = []
        var labels: [String] = []
        for s in series {
            guard let raw = s["raw"] as? [Any] else { throw InputError(description: "\(path): a series has no `raw` values") }
            labels.append(s["label"] as? String ?? "dim\(labels.count)")
            columns.append(raw.map { ($0 as? NSNumber)?.doubleValue })
        }
        let n = columns[0].count
        guard columns.allSatisfy({ $0.count == n }) else { throw InputError(description: "\(path): dimensions differ in length") }
        let rows = (0..<n).map { t in columns.map { $0[t] } }
        let name = root["name"] as? String ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return Series(name: name, labels: labels, rows: rows)
    }

    /// Numeric rows of the named columns of a table (`nil` for missing or unparsable values).
    static func numericRows(_ table: Table, fields: [String]) throws -> [[Double?]] {
        let idx = try fields.map { try table.column($0) }
        return table.rows.map { row in idx.map { row[$0].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } } }
    }

    /// Splits text into tokens: `whitespace` (runs of non-space) or `words` (lowercased runs of
    /// letters and digits).
    static func tokens(_ text: String, tokenizer: String) -> [Substring] {
        if tokenizer == "words" {
            return text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) })
        }
        return text.split(whereSeparator: \.isWhitespace)
    }
}

/// JSON output helpers: keys stay in a fixed order (JSONSerialization would shuffle them).
enum EntropyJSON {
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        return "\(x)"
    }

    static func string(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if c.value < 0x20 { out += String(format: "\\u%04x", c.value) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }

    /// `{"k": v, …}` from already-encoded values.
    static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\(string($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }
}
