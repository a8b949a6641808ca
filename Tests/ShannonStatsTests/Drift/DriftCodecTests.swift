import Testing
@testable import ShannonStats

/// Checkpoint records of the drift estimators: exact round trips, and garbage always rejected.
@Suite struct DriftCodecTests {
    static func filled() throws -> (PSIAccumulator, WoEAccumulator, GroupDivergenceAccumulator) {
        var rng = SplitMix64(seed: 5)
        let reference = (0..<300).map { _ in rng.uniform() }
        let binning = try Binning(quantilesOf: reference, bins: 7, missingBin: true)
        var psi = PSIAccumulator(binning: binning, referenceSample: reference)
        var woe = WoEAccumulator(binning: binning)
        var group = GroupDivergenceAccumulator(binning: binning)
        for i in 0..<200 {
            let x = i % 17 == 0 ? Double.nan : rng.uniform()
            psi.add(x)
            woe.add(x, isBad: i % 3 == 0)
            group.add(x, group: i % 2)
        }
        return (psi, woe, group)
    }

    @Test func roundTripsAreExact() throws {
        let (psi, woe, group) = try Self.filled()
        let psi2 = try PSIAccumulator(encodedState: psi.encodedState())
        #expect(psi2 == psi)
        #expect(psi2.encodedState() == psi.encodedState())
        #expect(psi2.result().psi.bitPattern == psi.result().psi.bitPattern)
        #expect(try WoEAccumulator(encodedState: woe.encodedState()) == woe)
        #expect(try GroupDivergenceAccumulator(encodedState: group.encodedState()) == group)
        #expect(try Binning(encodedState: psi.binning.encodedState()) == psi.binning)
        // Fractional reference counts (a reference histogram) survive bit for bit.
        let hist = try PSIAccumulator(binning: Binning(edges: [0.1, 0.2]), referenceCounts: [0.25, 1e-300, 3])
        #expect(try PSIAccumulator(encodedState: hist.encodedState()) == hist)
    }

    @Test func everyTruncationIsRejected() throws {
        let (psi, woe, group) = try Self.filled()
        for bytes in [psi.encodedState(), woe.encodedState(), group.encodedState()] {
            for cut in 0..<bytes.count {
                let prefix = Array(bytes[0..<cut])
                #expect(throws: StateDecodingError.self) { try PSIAccumulator(encodedState: prefix) }
                #expect(throws: StateDecodingError.self) { try WoEAccumulator(encodedState: prefix) }
                #expect(throws: StateDecodingError.self) { try GroupDivergenceAccumulator(encodedState: prefix) }
            }
        }
    }

    @Test func randomCorruptionsAreRejected() throws {
        let (psi, woe, group) = try Self.filled()
        var rng = SplitMix64(seed: 99)
        func corrupt(_ bytes: [UInt8]) -> [UInt8] {
            var bad = bytes
            let flips = 1 + Int(rng.next() % 4)
            for _ in 0..<flips {
                let pos = Int(rng.next() % UInt64(bad.count))
                bad[pos] ^= UInt8(truncatingIfNeeded: 1 + rng.next() % 255)
            }
            return bad
        }
        for _ in 0..<1000 {
            let a = corrupt(psi.encodedState()), b = corrupt(woe.encodedState()), c = corrupt(group.encodedState())
            #expect(throws: StateDecodingError.self) { try PSIAccumulator(encodedState: a) }
            #expect(throws: StateDecodingError.self) { try WoEAccumulator(encodedState: b) }
            #expect(throws: StateDecodingError.self) { try GroupDivergenceAccumulator(encodedState: c) }
        }
    }

    /// Records with a valid CRC but inconsistent content (hand-built): rejected by validation.
    @Test func inconsistentContentIsRejected() throws {
        func bins(_ edges: [Double], missing: Bool = false) -> (inout StateWriter) -> Void {
            { w in
                w.beginRecord(StateTag("BINS"), version: 1)
                w.write(edges)
                w.write(missing)
                w.endRecord()
            }
        }
        func psi(_ b: (inout StateWriter) -> Void, ref: [Double], cur: [Int64], total: Int64) -> [UInt8] {
            var w = StateWriter()
            w.beginRecord(StateTag("PSI1"), version: 1)
            b(&w)
            w.write(ref)
            w.write(cur)
            w.write(total)
            w.endRecord()
            return w.bytes
        }
        // The hand-built writer itself is right: a consistent record decodes.
        #expect(throws: Never.self) { try PSIAccumulator(encodedState: psi(bins([0]), ref: [1, 2], cur: [3, 4], total: 7)) }
        let bad: [[UInt8]] = [
            psi(bins([1, 0]), ref: [1, 2, 3], cur: [0, 0, 0], total: 0),          // edges not sorted
            psi(bins([0, .nan]), ref: [1, 2, 3], cur: [0, 0, 0], total: 0),       // NaN edge
            psi(bins([0]), ref: [1, 2, 3], cur: [0, 0], total: 0),                // reference length
            psi(bins([0]), ref: [1, 2], cur: [0, 0, 0], total: 0),                // current length
            psi(bins([0]), ref: [1, -2], cur: [0, 0], total: 0),                  // negative reference
            psi(bins([0]), ref: [1, .infinity], cur: [0, 0], total: 0),           // infinite reference
            psi(bins([0]), ref: [1, 2], cur: [-1, 1], total: 0),                  // negative count
            psi(bins([0]), ref: [1, 2], cur: [1, 1], total: 3),                   // total ≠ Σ
            psi(bins([0]), ref: [1, 2], cur: [.max, 1], total: 0),               // overflow
        ]
        for (i, bytes) in bad.enumerated() {
            #expect(throws: StateDecodingError.self, "case \(i)") { try PSIAccumulator(encodedState: bytes) }
        }
        // Wrong tag and unsupported version.
        var w = StateWriter()
        w.beginRecord(StateTag("PSI1"), version: 2)
        w.endRecord()
        #expect(throws: StateDecodingError.self) { try PSIAccumulator(encodedState: w.bytes) }
        let (_, woe, _) = try Self.filled()
        #expect(throws: StateDecodingError.wrongTag(expected: "PSI1", found: "WOE1")) {
            try PSIAccumulator(encodedState: woe.encodedState())
        }
    }
}
