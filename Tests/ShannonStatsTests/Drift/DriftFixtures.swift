import Foundation
import Testing

/// The numpy/scipy reference values written by Fixtures/drift/generate.py.
enum DriftFixtures {
    typealias Object = [String: Any]

    nonisolated(unsafe) static let root: Object = { // read-only after first load
        guard let url = Bundle.module.url(forResource: "drift_fixtures", withExtension: "json", subdirectory: "Fixtures/drift"),
              let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? Object
        else { fatalError("drift fixtures missing: run Fixtures/drift/generate.py") }
        return object
    }()

    static func cases(_ key: String) -> [Object] { root[key] as? [Object] ?? [] }

    /// A fixture number. The generator writes floats as strings of their shortest round-trip
    /// repr ("inf", "-inf", "nan" included) because Foundation's JSON parser rounds decimal
    /// numbers inexactly; Swift's `Double(String)` is correctly rounded.
    static func double(_ any: Any?) -> Double {
        switch any {
        case let s as String:
            guard let v = Double(s) else { fatalError("fixture number '\(s)' does not parse") }
            return v
        case let n as NSNumber: return n.doubleValue
        default: return .nan
        }
    }

    static func doubles(_ any: Any?) -> [Double] { (any as? [Any] ?? []).map(double) }
    static func int(_ any: Any?) -> Int { (any as? NSNumber)?.intValue ?? -1 }
}

/// |a - b| ≤ tolerance, with equal infinities and NaN == NaN accepted (both reported as such).
func close(_ a: Double, _ b: Double, absolute tolerance: Double) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a.isInfinite || b.isInfinite { return a == b }
    return abs(a - b) <= tolerance
}

func close(_ a: [Double], _ b: [Double], absolute tolerance: Double) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { close($0, $1, absolute: tolerance) }
}

func relativeError(_ a: Double, _ b: Double) -> Double {
    if a == b { return 0 }
    return abs(a - b) / abs(b)
}
