import Foundation
import Testing
import ShannonStats

/// `shannon stats boundaries --format`: the CSV and table rows are the JSON's boundaries, with
/// the same evidence, and the positions are what the library's detector finds.
@Suite struct BoundariesFormatTests {
    /// A step series: 200 values at 0, then 200 at 10, with a little deterministic noise.
    static func stepFile() throws -> (path: String, values: [Double]) {
        var rng = SplitMix64(seed: 5)
        let values = (0..<400).map { i in (i < 200 ? 0.0 : 10.0) + (Double(rng.next() % 1000) / 1000 - 0.5) }
        let csv = "x\n" + values.map { "\($0)" }.joined(separator: "\n") + "\n"
        return (try CommandLineTests.temp("step.csv", csv), values)
    }

    @Test func csvRowsAreTheJSONBoundariesWithTheirEvidence() throws {
        let (path, values) = try Self.stepFile()
        let json = try CommandLineTests.shannon(["stats", "boundaries", "--data", path, "--fields", "x", "--details"])
        let csv = try CommandLineTests.shannon(["stats", "boundaries", "--data", path, "--fields", "x", "--format", "csv"])
        #expect(json.status == 0 && csv.status == 0, "\(json.stderr)\(csv.stderr)")

        var detector = EventBoundaryDetector(dimension: 1, parameters: .default)
        var expected: [Int] = []
        for v in values {
            var f = [Float(v)]
            if let b = f.withUnsafeBufferPointer({ detector.update($0) }) { expected.append(b.position) }
        }
        #expect(expected.contains { abs($0 - 200) <= 2 }, "the library finds the step")

        // CSV: key,value rows, a blank line, then one row per boundary.
        let parts = csv.stdout.components(separatedBy: "\n\n")
        #expect(parts.count == 2)
        let rows = parts[1].split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.first?.map(String.init) == ["position", "error", "z", "mu", "sigma", "event_length", "p_value"])
        #expect(rows.dropFirst().map { Int($0[0])! } == expected)
        #expect(parts[0].contains("boundaries,\(expected.count)"))
        #expect(json.stdout.contains("\"boundaries\": [\(expected.map(String.init).joined(separator: ", "))]")
                || json.stdout.replacingOccurrences(of: " ", with: "").contains("\"boundaries\":[\(expected.map(String.init).joined(separator: ","))]"))

        let table = try CommandLineTests.shannon(["stats", "boundaries", "--data", path, "--fields", "x", "--format", "table"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("position") && table.stdout.contains("event_length"))
        #expect(table.stdout.split(separator: "\n").count == 5 + expected.count, "3 headline lines, the header, its rule, a row per boundary")
    }
}
