import Foundation
import Testing

/// The TCPD development series, found from this file's path: repo root → ../shared/data/changepoints.
enum TCPDData {
    static let names = ["bank", "brent_spot", "nile", "run_log", "seatbelts", "us_population", "well_log"]
    /// Published F1 of the "zero" method (predicts nothing), TCPDBench v3 default table.
    static let zeroF1 = [1.000, 0.315, 0.824, 0.446, 0.621, 0.889, 0.237]

    struct Series {
        var name: String
        var rows: [[Float]]
        var annotations: [[Int]]
    }

    static var directory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent() // Boundary
            .deletingLastPathComponent() // ShannonStatsTests
            .deletingLastPathComponent() // Tests
            .deletingLastPathComponent() // repo root
            .appendingPathComponent("../shared/data/changepoints")
            .standardizedFileURL
    }

    /// The series, or `nil` (with a recorded issue, so the test cannot pass silently) when absent.
    static func load() throws -> [Series]? {
        let annURL = directory.appendingPathComponent("annotations.json")
        guard FileManager.default.fileExists(atPath: annURL.path) else {
            Issue.record("TCPD data not found at \(directory.path)")
            return nil
        }
        let ann = try JSONSerialization.jsonObject(with: Data(contentsOf: annURL)) as! [String: [String: [Int]]]
        return try names.map { name in
            let root = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("\(name).json"))) as! [String: Any]
            let series = root["series"] as! [[String: Any]]
            let columns: [[Float]] = series.map { s in (s["raw"] as! [Any]).map { ($0 as? NSNumber).map { Float($0.doubleValue) } ?? .nan } }
            let rows = (0..<columns[0].count).map { t in columns.map { $0[t] } }
            let a = ann[name]!
            return Series(name: name, rows: rows, annotations: a.keys.sorted().map { a[$0]! })
        }
    }
}
