import Foundation
import Testing

/// The 19 TCPD development series, found from this file's path: repo root → ../shared/data/changepoints.
enum TCPDData {
    static let names = ["bank", "brent_spot", "businv", "children_per_woman", "construction", "gdp_argentina",
                        "gdp_iran", "global_co2", "jfk_passengers", "nile", "ozone", "quality_control_2",
                        "quality_control_4", "rail_lines", "run_log", "seatbelts", "unemployment_nl",
                        "us_population", "well_log"]
    /// Published F1 of the "zero" method (predicts nothing), TCPDBench v3 default tables (README of
    /// the data set).
    static let zeroF1 = [1.000, 0.315, 0.588, 0.507, 0.696, 0.824, 0.652, 0.846, 0.723, 0.824, 0.723, 0.750,
                         0.780, 0.537, 0.446, 0.621, 0.566, 0.889, 0.237]

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
