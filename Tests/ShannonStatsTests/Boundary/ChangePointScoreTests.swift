import Testing
@testable import ShannonStats

@Suite struct ChangePointScoreTests {
    @Test func matchingFollowsTheTCPDExamples() {
        // The examples documented with TCPD's true_positives (van den Burg & Williams).
        #expect(ChangePointScore.truePositives([1, 10, 20, 23], [3, 8, 20], 5) == 3)
        #expect(ChangePointScore.truePositives([1, 10, 20, 23], [1, 3, 8, 20], 5) == 3)
        #expect(ChangePointScore.truePositives([1, 10, 20, 23], [1, 3, 5, 8, 20], 5) == 3)
        #expect(ChangePointScore.truePositives([], [1, 2, 3], 5) == 0)
        #expect(ChangePointScore.truePositives([1, 2, 3], [], 5) == 0)
    }

    @Test func handMadeScores() {
        // One annotator at 50; prediction at 53 matches: P = 2/2, R = 2/2.
        #expect(ChangePointScore.f1(predictions: [53], annotations: [[50]]).f1 == 1)
        // Prediction at 56 misses (margin 5): P = 1/2, R = 1/2.
        let miss = ChangePointScore.f1(predictions: [56], annotations: [[50]])
        #expect(miss.precision == 0.5 && miss.recall == 0.5)
        // Two annotators, [50] and []: R = (2/2 + 1/1)/2 with a hit, precision against the union.
        let two = ChangePointScore.f1(predictions: [50, 90], annotations: [[50], []])
        #expect(abs(two.precision - 2.0 / 3) < 1e-15 && two.recall == 1)
    }

    @Test func zeroMethodReproducesPublishedF1() throws {
        guard let data = try TCPDData.load() else { return }
        for (s, expected) in zip(data, TCPDData.zeroF1) {
            let f1 = ChangePointScore.f1(predictions: [], annotations: s.annotations).f1
            #expect(abs(f1 - expected) < 0.0005, "\(s.name): \(f1) vs published \(expected)")
        }
    }
}
