import Foundation
import ShannonStats

/// The 19 annotated TCPD series of `shared/data/changepoints` with the published
/// default-parameter F1 of TCPDBench.
struct Dataset {
    struct Series {
        var name: String
        /// Rows of D values, NaN for missing.
        var rows: [[Float]]
        var annotations: [[Int]]
    }

    var series: [Series]

    /// Published default-parameter F1 (zero, bocpd, binseg, pelt; nil = the method failed), copied
    /// from the two tables of shared/data/changepoints/README.md ("TCPDBench, v3 tables").
    static let published: [(name: String, zero: Double, bocpd: Double, binseg: Double?, pelt: Double?)] = [
        ("bank", 1.000, 0.047, 0.400, 0.400),
        ("brent_spot", 0.315, 0.521, 0.483, 0.465),
        ("businv", 0.588, 0.270, 0.370, 0.370),
        ("children_per_woman", 0.507, 0.637, 0.618, 0.618),
        ("construction", 0.696, 0.634, 0.709, 0.709),
        ("gdp_argentina", 0.824, 0.947, 0.889, 0.889),
        ("gdp_iran", 0.652, 0.622, 0.492, 0.492),
        ("global_co2", 0.846, 0.754, 0.929, 0.754),
        ("jfk_passengers", 0.723, 0.437, 0.776, 0.776),
        ("nile", 0.824, 1.000, 1.000, 1.000),
        ("ozone", 0.723, 0.650, 0.650, 1.000),
        ("quality_control_2", 0.750, 1.000, 1.000, 1.000),
        ("quality_control_4", 0.780, 0.658, 0.873, 0.726),
        ("rail_lines", 0.537, 0.846, 0.846, 0.846),
        ("run_log", 0.446, 1.000, nil, nil),
        ("seatbelts", 0.621, 0.583, 0.683, 0.683),
        ("unemployment_nl", 0.566, 0.683, 0.876, 0.773),
        ("us_population", 0.889, 0.216, 0.667, 0.471),
        ("well_log", 0.237, 0.796, 0.534, 0.555),
    ]

    /// An explicit directory, else $SHANNON_CHANGEPOINTS_DIR, else ../shared/data/changepoints
    /// next to the package root (found from this file's path, so any working directory works).
    static func locate(_ explicit: String?) -> String {
        if let explicit { return explicit }
        if let env = ProcessInfo.processInfo.environment["SHANNON_CHANGEPOINTS_DIR"], !env.isEmpty { return env }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/data/changepoints").standardizedFileURL.path
    }

    static func load(directory: String) throws -> Dataset {
        let dir = URL(fileURLWithPath: directory)
        func json(_ name: String) throws -> Any {
            try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(name)))
        }
        guard let ann = try json("annotations.json") as? [String: [String: [Int]]] else {
            throw LoadError(message: "annotations.json is not a map of annotator lists")
        }
        var out: [Series] = []
        for entry in published {
            guard let root = try json("\(entry.name).json") as? [String: Any],
                  let dims = root["series"] as? [[String: Any]], let a = ann[entry.name]
            else { throw LoadError(message: "\(entry.name): missing series or annotations") }
            let columns: [[Float]] = dims.map { d in
                (d["raw"] as? [Any] ?? []).map { ($0 as? NSNumber).map { Float($0.doubleValue) } ?? .nan }
            }
            let rows = (0..<(columns.first?.count ?? 0)).map { t in columns.map { $0[t] } }
            out.append(Series(name: entry.name, rows: rows, annotations: a.keys.sorted().map { a[$0]! }))
        }
        return Dataset(series: out)
    }

    /// F1 (margin 5) per series with one parameter set.
    func scores(_ parameters: BoundaryParameters) -> [Double] {
        series.map { s in
            ChangePointScore.f1(predictions: Self.detect(s.rows, parameters), annotations: s.annotations).f1
        }
    }

    static func detect(_ rows: [[Float]], _ parameters: BoundaryParameters) -> [Int] {
        guard let d = rows.first?.count, d > 0 else { return [] }
        var detector = EventBoundaryDetector(dimension: d, parameters: parameters)
        var found: [Int] = []
        for row in rows { if let b = detector.update(row) { found.append(b.position) } }
        return found
    }
}

struct LoadError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
