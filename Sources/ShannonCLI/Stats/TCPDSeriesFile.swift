import Foundation

/// A TCPD change-point series file (`../shared/data/changepoints/NAME.json`): `series` is a
/// list of dimensions, each with `raw` values (null for missing). CLI-only.
enum TCPDSeriesFile {
    struct Series {
        var name: String
        var labels: [String]
        var rows: [[Double?]]
    }

    static func readTCPDSeries(path: String) throws -> Series {
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let series = root["series"] as? [[String: Any]], !series.isEmpty
        else { throw StatsInputError("\(path): not a TCPD series file (needs a `series` list)") }
        var columns: [[Double?]] = []
        var labels: [String] = []
        for s in series {
            guard let raw = s["raw"] as? [Any] else { throw StatsInputError("\(path): a series has no `raw` values") }
            labels.append(s["label"] as? String ?? "dim\(labels.count)")
            columns.append(raw.map { ($0 as? NSNumber)?.doubleValue })
        }
        let n = columns[0].count
        guard columns.allSatisfy({ $0.count == n }) else { throw StatsInputError("\(path): dimensions differ in length") }
        let rows = (0..<n).map { t in columns.map { $0[t] } }
        let name = root["name"] as? String ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return Series(name: name, labels: labels, rows: rows)
    }

}
