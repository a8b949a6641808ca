/// Rows of RFC 4180 CSV: fields split on commas; a quoted field may hold commas, doubled quotes
/// and line breaks; rows end at LF, CRLF or CR. Blank lines are skipped and a leading UTF-8
/// byte-order mark is dropped. The one CSV reader of the project: reference files, the header
/// check of `validate`, and the stats commands' tables.
///
/// Ours rather than a package's: it is 50 lines, works on bytes (no Foundation), and reports
/// the line each row starts on, which error messages need.
public struct CSVReader: IteratorProtocol {
    private let bytes: [UInt8]
    private var i = 0
    private var nextLine = 1
    /// The line (1-based) on which the row last returned by `next()` began.
    public private(set) var line = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
    }

    public init(_ text: String) { self.init(Array(text.utf8)) }

    public mutating func next() -> [String]? {
        while i < bytes.count {
            line = nextLine
            let row = readRow()
            if !(row.count == 1 && row[0].isEmpty) { return row }
        }
        return nil
    }

    private mutating func readRow() -> [String] {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var row: [String] = []
        var field: [UInt8] = []
        var quoted = false
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if b == lf || (b == cr && !(i < bytes.count && bytes[i] == lf)) { nextLine += 1 }
            if quoted {
                if b != quote {
                    field.append(b)
                } else if i < bytes.count && bytes[i] == quote {
                    field.append(quote)
                    i += 1
                } else {
                    quoted = false
                }
            } else if b == quote {
                quoted = true
            } else if b == comma {
                row.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            } else if b == lf || b == cr {
                if b == cr && i < bytes.count && bytes[i] == lf {
                    i += 1
                    nextLine += 1
                }
                break
            } else {
                field.append(b)
            }
        }
        row.append(String(decoding: field, as: UTF8.self))
        return row
    }

    /// Every row, with the line it starts on.
    public static func rows(_ bytes: [UInt8]) -> [(line: Int, cells: [String])] {
        var reader = CSVReader(bytes)
        var out: [(line: Int, cells: [String])] = []
        while let row = reader.next() { out.append((reader.line, row)) }
        return out
    }
}
