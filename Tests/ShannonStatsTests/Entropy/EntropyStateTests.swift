import Testing
@testable import ShannonStats

/// Checkpoint encodings of the entropy estimators: exact continuation, garbage rejected.
@Suite struct EntropyStateTests {
    static func ids(_ n: Int, seed: UInt64, vocabulary: UInt64) -> [UInt64] {
        var s = seed
        return (0..<n).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(s >> 11) / Double(1 << 53)
            return UInt64(u * u * Double(vocabulary))
        }
    }

    func results(_ w: inout TokenWindow, _ ids: ArraySlice<UInt64>) -> [EntropyResult] {
        var out: [EntropyResult] = []
        for id in ids where w.add(id) { out.append(w.result()) }
        out.append(w.result())
        return out
    }

    @Test(arguments: [TokenWindow.Kind.tumbling, .sliding(hop: 7)])
    func windowContinuesIdenticallyAfterDecode(kind: TokenWindow.Kind) throws {
        let stream = Self.ids(5000, seed: 3, vocabulary: 400)
        var straight = TokenWindow(size: 300, kind: kind, maxDistinct: 120)
        let expected = results(&straight, stream[...])
        var first = TokenWindow(size: 300, kind: kind, maxDistinct: 120)
        var got = results(&first, stream[0..<2345])
        got.removeLast()
        var resumed = try TokenWindow(encodedState: first.encodedState())
        #expect(resumed.encodedState() == first.encodedState())
        got += results(&resumed, stream[2345...])
        #expect(got == expected)
        #expect(resumed.counter.sumCLogC.bitPattern == straight.counter.sumCLogC.bitPattern)
        #expect(resumed.counter.capHit)
    }

    @Test func everyTruncationIsRejected() {
        var w = TokenWindow(size: 40, kind: .sliding(hop: 3), maxDistinct: 20)
        for id in Self.ids(100, seed: 9, vocabulary: 50) { w.add(id) }
        let bytes = w.encodedState()
        for cut in 0..<bytes.count {
            #expect(throws: StateDecodingError.self) { try TokenWindow(encodedState: Array(bytes[0..<cut])) }
        }
        var s = SurprisalRate()
        s.add(logProbability: -1.5)
        let sb = s.encodedState()
        for cut in 0..<sb.count {
            #expect(throws: StateDecodingError.self) { try SurprisalRate(encodedState: Array(sb[0..<cut])) }
        }
    }

    @Test func randomCorruptionsAreRejected() {
        var w = TokenWindow(size: 40, kind: .sliding(hop: 3), maxDistinct: 20)
        for id in Self.ids(100, seed: 9, vocabulary: 50) { w.add(id) }
        var surprisal = SurprisalRate()
        for lp in [-0.3, -4.0, -1.25] { surprisal.add(logProbability: lp) }
        let encodings: [(String, [UInt8], ([UInt8]) throws -> Void)] = [
            ("ENT1", w.encodedState(), { _ = try TokenWindow(encodedState: $0) }),
            ("TCNT", w.counter.encodedState(), { _ = try TokenCounter(encodedState: $0) }),
            ("JSD1", JensenShannonDrift(reference: w.counter).encodedState(), { _ = try JensenShannonDrift(encodedState: $0) }),
            ("SURP", surprisal.encodedState(), { _ = try SurprisalRate(encodedState: $0) }),
        ]
        for (name, bytes, decode) in encodings {
            var state: UInt64 = 11
            for _ in 0..<1000 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                var bad = bytes
                let pos = Int(state >> 33) % bad.count
                bad[pos] ^= UInt8(truncatingIfNeeded: (state >> 13) | 1)
                #expect(throws: StateDecodingError.self, "\(name) byte \(pos)") { try decode(bad) }
            }
        }
    }

    /// Internally consistent records (valid CRC) whose contents contradict each other.
    @Test func inconsistentContentsAreRejected() throws {
        var w = TokenWindow(size: 10, kind: .sliding(hop: 1))
        for id in Self.ids(30, seed: 1, vocabulary: 6) { w.add(id) }
        // Ring says one thing, counts another.
        var bad = w
        bad.ring[0] = 999_999
        #expect(throws: StateDecodingError.self) { try TokenWindow(encodedState: bad.encodedState()) }
        var c = w.counter
        c.total += 1
        #expect(throws: StateDecodingError.self) { try TokenCounter(encodedState: c.encodedState()) }
        var s = w.counter
        s.sumCLogC += 1
        #expect(throws: StateDecodingError.self) { try TokenCounter(encodedState: s.encodedState()) }
        let good = try TokenWindow(encodedState: w.encodedState())
        #expect(good.result() == w.result())
    }

    @Test func surprisalAndDriftRoundTrip() throws {
        var s = SurprisalRate()
        for lp in [-0.1, -2.5, -0.7] { s.add(logProbability: lp) }
        let d = try SurprisalRate(encodedState: s.encodedState())
        #expect(d == s)
        var c = TokenCounter()
        for id in Self.ids(500, seed: 4, vocabulary: 90) { c.add(id) }
        let j = try JensenShannonDrift(encodedState: JensenShannonDrift(reference: c).encodedState())
        var cur = TokenCounter()
        for id in Self.ids(500, seed: 5, vocabulary: 90) { cur.add(id) }
        #expect(j.divergenceBits(cur) == JensenShannonDrift(reference: c).divergenceBits(cur))
    }
}
