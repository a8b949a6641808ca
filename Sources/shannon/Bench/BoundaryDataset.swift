import Foundation
import ShannonStats

/// The TCPD development series (`shared/data/changepoints`) with their annotations and the
/// published default-parameter F1 of TCPDBench (README of the data set, v3 tables).
struct BoundaryDataset {
    struct Item {
        var name: String
        var rows: [[Double?]]
        var annotations: [[Int]]
    }

    var items: [Item]

    static let names = ["bank", "brent_spot", "nile", "run_log", "seatbelts", "us_population", "well_log"]

    /// Published F1 (default parameters) per method, in `names` order; nil = no result published.
    static let published: [(method: String, f1: [Double?])] = [
        ("zero", [1.000, 0.315, 0.824, 0.446, 0.621, 0.889, 0.237]),
        ("bocpd", [0.047, 0.521, 1.000, 1.000, 0.583, 0.216, 0.796]),
        ("binseg", [0.400, 0.483, 1.000, nil, 0.683, 0.667, 0.534]),
        ("pelt", [0.400, 0.465, 1.000, nil, 0.683, 0.471, 0.555]),
        ("amoc", [0.667, 0.272, 1.000, nil, 0.474, 1.000, 0.279]),
    ]
    /// Published means (binseg/pelt/amoc over the 6 series they ran on).
    static let publishedMeans: [String: Double] = ["zero": 0.619, "bocpd": 0.595, "binseg": 0.628, "pelt": 0.595, "amoc": 0.615]

    /// Where the data lives: an explicit path, else $SHANNON_CHANGEPOINTS_DIR, else
    /// ../shared/data/changepoints relative to the working directory (the repo root).
    static func locate(_ explicit: String?) -> String {
        if let explicit { return explicit }
        if let env = ProcessInfo.processInfo.environment["SHANNON_CHANGEPOINTS_DIR"], !env.isEmpty { return env }
        return "../shared/data/changepoints"
    }

    static func load(directory: String) throws -> BoundaryDataset {
        let annPath = directory + "/annotations.json"
        guard let data = FileManager.default.contents(atPath: annPath),
              let ann = try JSONSerialization.jsonObject(with: data) as? [String: [String: [Int]]]
        else { throw StatsInputError("cannot read \(annPath)") }
        var items: [Item] = []
        for name in names {
            let series = try TCPDSeriesFile.readTCPDSeries(path: directory + "/\(name).json")
            guard let a = ann[name] else { throw StatsInputError("no annotations for \(name)") }
            items.append(Item(name: name, rows: series.rows, annotations: a.keys.sorted().map { a[$0]! }))
        }
        return BoundaryDataset(items: items)
    }

    /// F1 per series with the given parameters.
    func scores(_ parameters: BoundaryParameters) -> [Double] {
        items.map { item in
            let predicted = detectBoundaries(item.rows, parameters: parameters).map(\.position)
            return ChangePointScore.f1(predictions: predicted, annotations: item.annotations).f1
        }
    }
}
