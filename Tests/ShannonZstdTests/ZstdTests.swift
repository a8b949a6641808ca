import Testing
@testable import ShannonZstd

/// Deterministic bytes (SplitMix64) so failures reproduce.
private func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    var out = [UInt8]()
    out.reserveCapacity(count)
    while out.count < count {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        withUnsafeBytes(of: z) { out.append(contentsOf: $0.prefix(count - out.count)) }
    }
    return out
}

private func compressible(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: ($0 / 7) % 13) }
}

@Suite struct ZstdTests {
    @Test(arguments: [0, 1, 1000, 300_000])
    func roundTripRandom(size: Int) throws {
        let data = randomBytes(size, seed: UInt64(size) + 1)
        let frame = try Zstd.compress(data)
        #expect(try Zstd.decompress(frame) == data)
    }

    @Test func roundTripCompressibleShrinks() throws {
        let data = compressible(1 << 20)
        for level: Int32 in [1, 3, 19] {
            let frame = try Zstd.compress(data, level: level)
            #expect(frame.count < data.count / 20, "level \(level) gave \(frame.count) bytes")
            #expect(try Zstd.decompress(frame) == data)
        }
    }

    @Test func streamingRoundTripInChunks() throws {
        let data = compressible(700_000) + randomBytes(200_000, seed: 9)
        let c = try ZstdCompressor(level: 5)
        var frame: [UInt8] = []
        var i = 0
        while i < data.count {
            let end = min(i + 65_537, data.count)
            frame += try c.compress(Array(data[i..<end]))
            i = end
        }
        frame += try c.finish()
        let d = try ZstdDecompressor()
        var out: [UInt8] = []
        var j = 0
        while j < frame.count {
            let end = min(j + 997, frame.count)
            out += try d.decompress(Array(frame[j..<end]))
            j = end
        }
        try d.finish()
        #expect(out == data)
        // The streaming frame is also a valid one-shot frame.
        #expect(try Zstd.decompress(frame) == data)
    }

    @Test func everyTruncationIsRejected() throws {
        let frame = try Zstd.compress(compressible(5000) + randomBytes(500, seed: 3))
        for cut in 0..<frame.count {
            #expect(throws: ZstdError.self) { try Zstd.decompress(Array(frame[0..<cut])) }
        }
    }

    @Test func corruptedFramesAreRejected() throws {
        let data = randomBytes(4000, seed: 11) + compressible(4000)
        let frame = try Zstd.compress(data)
        var rejected = 0
        var state: UInt64 = 42
        for _ in 0..<1000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let pos = Int(state >> 33) % frame.count
            let bit = UInt8(1) << UInt8((state >> 20) % 8)
            var bad = frame
            bad[pos] ^= bit
            do {
                let out = try Zstd.decompress(bad)
                // A flip that leaves a valid frame must still not produce wrong bytes silently.
                #expect(out == data, "corruption at \(pos) produced different bytes without an error")
            } catch is ZstdError {
                rejected += 1
            }
        }
        // Checksummed frames: nearly every single-bit flip is detected.
        #expect(rejected > 950, "only \(rejected) of 1000 corruptions rejected")
    }

    @Test func garbageIsRejected() {
        #expect(throws: ZstdError.self) { try Zstd.decompress([1, 2, 3, 4, 5, 6, 7, 8]) }
        #expect(throws: ZstdError.self) { try Zstd.decompress([]) }
    }

    @Test func outputLimitIsEnforced() throws {
        let frame = try Zstd.compress(compressible(100_000))
        #expect(throws: ZstdError.self) { try Zstd.decompress(frame, maxOutput: 10_000) }
    }
}
