import Testing
@testable import ShannonStats

/// Corruptions that keep every CRC valid (the byte is changed, then the enclosing records are
/// resealed): the decoders' own consistency checks are all that stands between garbage and a
/// wrong statistic or a trap. Every outcome must be a thrown `StateDecodingError` or a value
/// that encodes and decodes again.
@Suite struct ResealedCorruptionTests {
    /// Recomputes the CRC of the record at `start` and of every record nested in its payload
    /// (found by magic), innermost first. Returns false when the framing no longer parses.
    @discardableResult
    static func reseal(_ b: inout [UInt8], at start: Int) -> Bool {
        guard start + 14 <= b.count, Array(b[start..<start + 4]) == [0x53, 0x48, 0x53, 0x54] else { return false }
        let length = (0..<4).reduce(0) { $0 | Int(b[start + 10 + $1]) << (8 * $1) }
        let payload = start + 14
        guard payload + length + 4 <= b.count else { return false }
        var i = payload
        while i + 14 <= payload + length {
            if Array(b[i..<i + 4]) == [0x53, 0x48, 0x53, 0x54] { reseal(&b, at: i) }
            i += 1
        }
        let crc = b.withUnsafeBufferPointer { CRC32C.checksum(UnsafeBufferPointer(rebasing: $0[payload..<payload + length])) }
        for k in 0..<4 { b[payload + length + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
        return true
    }

    static func fuzz<T: StateCodable>(_ type: T.Type, _ bytes: [UInt8], seed: UInt64, rounds: Int = 1500) -> (rejected: Int, accepted: Int) {
        var state = seed
        var rejected = 0, accepted = 0
        for _ in 0..<rounds {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var bad = bytes
            // Skip the outer header (magic, tag, version, length): corrupt payload bytes.
            let pos = 14 + Int(state >> 33) % (bad.count - 18)
            bad[pos] ^= UInt8(truncatingIfNeeded: (state >> 13) | 1)
            reseal(&bad, at: 0)
            do {
                let value = try T(encodedState: bad)
                _ = try T(encodedState: value.encodedState())
                accepted += 1
            } catch is StateDecodingError {
                rejected += 1
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        return (rejected, accepted)
    }

    @Test func entropyWindowSurvivesResealedCorruption() {
        var w = TokenWindow(size: 64, kind: .sliding(hop: 5), maxDistinct: 24)
        var s: UInt64 = 1
        for _ in 0..<300 {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            w.add((s >> 40) % 40)
        }
        let r = Self.fuzz(TokenWindow.self, w.encodedState(), seed: 21)
        // Most single-byte changes contradict the counts, the ring or the bookkeeping.
        #expect(r.rejected > r.accepted, "\(r)")
        var t = TokenWindow(size: 50, kind: .tumbling)
        for id in 0..<120 { t.add(UInt64(id % 17)) }
        let rt = Self.fuzz(TokenWindow.self, t.encodedState(), seed: 22)
        #expect(rt.rejected > 0, "\(rt)")
    }

    @Test func detectorSurvivesResealedCorruption() {
        var d = EventBoundaryDetector(dimension: 3, parameters: BoundaryParameters(
            anticipator: .linear(length: 6), error: .standardisedAbsolute, test: .studentT(alpha: 0.001),
            nMin: 4, kMax: 12, sigmaFloor: 0.1, refractoryGap: 2))
        for t in 0..<200 { _ = d.update([Float(t % 50), Float((t / 40) % 2) * 9, 1]) }
        let r = Self.fuzz(EventBoundaryDetector.self, d.encodedState(), seed: 23)
        #expect(r.rejected > 0, "\(r)")
    }
}
