import Testing
@testable import ShannonStats

/// Pins the default parameters' TCPD F1 (margin 5) on the 19 development series, so any change of
/// behaviour shows. The expected numbers come from an independent numpy implementation of the
/// detector and the metric, `Fixtures/boundary/reference_detector.py`.
@Suite struct BoundaryDefaultsPinTests {
    static let expected: [String: Double] = [
        "bank": 1.0, "brent_spot": 0.6942148760330578, "businv": 0.7968749999999999,
        "children_per_woman": 0.40476190476190477, "construction": 0.6956521739130436,
        "gdp_argentina": 0.888888888888889, "gdp_iran": 0.8679245283018867, "global_co2": 0.7304347826086957,
        "jfk_passengers": 0.7234042553191489, "nile": 0.8235294117647058, "ozone": 0.9655172413793104,
        "quality_control_2": 0.7499999999999999, "quality_control_4": 0.9361702127659575,
        "rail_lines": 0.846153846153846, "run_log": 0.9898989898989901, "seatbelts": 0.6206896551724138,
        "unemployment_nl": 0.5648414985590777, "us_population": 0.888888888888889, "well_log": 0.5778164924506388,
    ]
    static let expectedMean = 0.777140139308445

    @Test func defaultsScoreThePinnedF1OnEverySeries() throws {
        guard let data = try TCPDData.load() else { return }
        #expect(data.count == 19)
        var scores: [Double] = []
        for s in data {
            var d = EventBoundaryDetector(dimension: s.rows[0].count)
            var found: [Int] = []
            for v in s.rows { if let b = d.update(v) { found.append(b.position) } }
            let f1 = ChangePointScore.f1(predictions: found, annotations: s.annotations).f1
            scores.append(f1)
            let want = try #require(Self.expected[s.name])
            #expect(abs(f1 - want) < 1e-9, "\(s.name): \(f1) vs pinned \(want); boundaries \(found)")
        }
        #expect(abs(scores.reduce(0, +) / Double(scores.count) - Self.expectedMean) < 1e-9)
    }

    @Test func meanAbsoluteScaleMatchesNumpy() {
        // numpy: x = [0, 3, 1, 1, 6, -2]; np.sqrt(np.pi / 2) * np.mean(np.abs(np.diff(x))) = 4.5119308943358005
        let x: [Float] = [0, 3, 1, 1, 6, -2]
        var p = BoundaryParameters.default
        p.anticipator = .last
        var d = EventBoundaryDetector(dimension: 1, parameters: p)
        for v in x { _ = d.update([v]) }
        #expect(abs(d.scale[0] * (Double.pi / 2).squareRoot() - 4.5119308943358005) < 1e-12)
    }

    @Test func cusumFindsAShiftNoSingleRecordReveals() {
        // A level shift of 3 noise SDs at 200, predicted by the event mean: single errors stay
        // below tau (σ_floor 1), the CUSUM of the raised errors fires within a few records;
        // without the CUSUM nothing is found.
        var rng = EventBoundaryDetectorTests.LCG(state: 11)
        let x: [Float] = (0..<400).map { t in Float((t >= 200 ? 3 : 0) + rng.normal()) }
        var with = BoundaryParameters.default
        with.anticipator = .mean(length: 1000)
        var without = with
        without.cusum = nil
        func run(_ p: BoundaryParameters) -> [Int] {
            var d = EventBoundaryDetector(dimension: 1, parameters: p)
            return x.compactMap { d.update([$0])?.position }
        }
        let found = run(with)
        #expect(found.contains { $0 >= 200 && $0 <= 215 }, "found \(found)")
        #expect(found.allSatisfy { $0 >= 200 }, "false alarm before the shift: \(found)")
        #expect(run(without).isEmpty)
    }
}
