import Testing
@testable import ShannonStats

@Suite struct EventBoundaryStateTests {
    static func stream(_ n: Int, dim: Int, seed: UInt64) -> [[Float]] {
        var s = seed
        return (0..<n).map { t in
            (0..<dim).map { j in
                s = s &* 6364136223846793005 &+ 1442695040888963407
                let noise = Float(s >> 40) / Float(1 << 24)
                return Float((t / 70) % 3) * 5 * Float(j + 1) + noise
            }
        }
    }

    static let settings: [BoundaryParameters] = [
        .default,
        BoundaryParameters(anticipator: .ewma(alpha: 0.2), error: .standardisedAbsolute, test: .studentT(alpha: 1e-4),
                           nMin: 5, kMax: 16, sigmaFloor: 0.2, refractoryGap: 3),
        BoundaryParameters(anticipator: .mean(length: 4), error: .cosine, test: .gaussian(tau: 4),
                           nMin: 3, kMax: 8, sigmaFloor: 1e-3, refractoryGap: 0),
    ]

    @Test(arguments: settings)
    func continuesIdenticallyAfterDecode(parameters: BoundaryParameters) throws {
        let x = Self.stream(600, dim: 3, seed: 8)
        var straight = EventBoundaryDetector(dimension: 3, parameters: parameters)
        let expected = x.map { straight.update($0) }
        #expect(expected.contains { $0 != nil })
        for cut in [0, 1, 2, 37, 211, 599] {
            var first = EventBoundaryDetector(dimension: 3, parameters: parameters)
            var got = x[0..<cut].map { first.update($0) }
            let bytes = first.encodedState()
            var resumed = try EventBoundaryDetector(encodedState: bytes)
            #expect(resumed.encodedState() == bytes)
            got += x[cut...].map { resumed.update($0) }
            #expect(got == expected, "cut at \(cut)")
            #expect(resumed.encodedState() == straight.encodedState())
        }
    }

    @Test func truncationsAndCorruptionsAreRejected() {
        var d = EventBoundaryDetector(dimension: 2, parameters: Self.settings[1])
        for v in Self.stream(300, dim: 2, seed: 2) { _ = d.update(v) }
        let bytes = d.encodedState()
        for cut in 0..<bytes.count {
            #expect(throws: StateDecodingError.self) { try EventBoundaryDetector(encodedState: Array(bytes[0..<cut])) }
        }
        var state: UInt64 = 5
        for _ in 0..<1000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var bad = bytes
            let pos = Int(state >> 33) % bad.count
            bad[pos] ^= UInt8(truncatingIfNeeded: (state >> 13) | 1)
            #expect(throws: StateDecodingError.self, "byte \(pos)") { try EventBoundaryDetector(encodedState: bad) }
        }
    }

    @Test func inconsistentStateIsRejected() {
        var d = EventBoundaryDetector(dimension: 2)
        for v in Self.stream(100, dim: 2, seed: 1) { _ = d.update(v) }
        var wrongMean = d
        wrongMean.memory.mean += 1
        #expect(throws: StateDecodingError.self) { try EventBoundaryDetector(encodedState: wrongMean.encodedState()) }
        var wrongSize = d
        wrongSize.scale.append(1)
        #expect(throws: StateDecodingError.self) { try EventBoundaryDetector(encodedState: wrongSize.encodedState()) }
        var wrongPosition = d
        wrongPosition.position = 3
        #expect(throws: StateDecodingError.self) { try EventBoundaryDetector(encodedState: wrongPosition.encodedState()) }
    }
}
