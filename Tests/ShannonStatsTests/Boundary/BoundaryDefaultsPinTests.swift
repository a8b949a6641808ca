import Testing
@testable import ShannonStats

/// Pins the default parameters' TCPD F1 (margin 5) on the 19 development series, so any change of
/// behaviour shows. The expected numbers come from an independent numpy implementation of the
/// detector and the metric, `Fixtures/boundary/reference_detector.py`.
@Suite struct BoundaryDefaultsPinTests {
    static let expected: [String: Double] = [
        "bank": 1.0, "brent_spot": 0.7407407407407409, "businv": 0.9473684210526316,
        "children_per_woman": 0.5989304812834224, "construction": 0.6956521739130436,
        "gdp_argentina": 0.9473684210526316, "gdp_iran": 0.6516853932584269, "global_co2": 0.8571428571428571,
        "jfk_passengers": 0.7234042553191489, "nile": 0.8235294117647058, "ozone": 0.9655172413793104,
        "quality_control_2": 0.7499999999999999, "quality_control_4": 0.9361702127659575,
        "rail_lines": 0.846153846153846, "run_log": 0.9382978723404256, "seatbelts": 0.6206896551724138,
        "unemployment_nl": 0.6921985815602836, "us_population": 0.888888888888889, "well_log": 0.504923903312444,
    ]
    static let expectedMean = 0.7962453872158515

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
        with.nMin = 5
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

    @Test func runningSumLinearPredictionMatchesNumpyPolyfit() {
        // numpy: np.polyval(np.polyfit(np.arange(5), [1, 5, 9, 2, 6], 1), 5) = 6.699999999999999
        // (the window of 5 after sliding past 3, 1, 4), and for the 3 values [4, 1, 5] held before
        // the window filled, np.polyval(np.polyfit(np.arange(3), [4, 1, 5], 1), 3) = 4.333333333333334.
        var p = BoundaryParameters.default
        p.anticipator = .linear(length: 5)
        var d = EventBoundaryDetector(dimension: 1, parameters: p)
        for v: Float in [4, 1, 5] { _ = d.update([v]) }
        d.predict()
        #expect(abs(d.prediction[0] - 4.333333333333334) < 1e-12)
        var e = EventBoundaryDetector(dimension: 1, parameters: p)
        for v: Float in [3, 1, 4, 1, 5, 9, 2, 6] { _ = e.update([v]) }
        e.predict()
        #expect(abs(e.prediction[0] - 6.699999999999999) < 1e-12)
        // Far past many laps of the ring (sums recomputed every L pushes) the same holds.
        for v: Float in (0..<1003).map({ Float($0 % 7) }) + [1, 5, 9, 2, 6] { _ = e.update([v]) }
        e.predict()
        #expect(abs(e.prediction[0] - 6.699999999999999) < 1e-9)
    }

    @Test func residualsBelowTheRelativeFloorAreNotChanges() {
        // A constant stream (unit 0) with a last-ulp wobble: 1e-7 relative is below the floor
        // (1e-6 of the magnitude), so errors stay ≤ 0.1 and nothing fires; a real, lasting step of 1 % does.
        var p = BoundaryParameters.default
        p.nMin = 5
        var d = EventBoundaryDetector(dimension: 1, parameters: p)
        var x = [Float](repeating: 1000, count: 40)
        x[25] = 1000.0001
        let wobble = x.compactMap { d.update([$0])?.position }
        #expect(wobble.isEmpty, "fired at \(wobble)")
        var stepped = EventBoundaryDetector(dimension: 1, parameters: p)
        for t in 25..<40 { x[t] = 1010 }
        #expect(x.compactMap { stepped.update([$0])?.position } == [25])
    }
}
