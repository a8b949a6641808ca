import Testing
@testable import ShannonZstd

/// One compressor and one decompressor for many small frames (a changelog entry per key): every
/// frame must come out as if it had its own context, and the one-shot frame decoder must refuse
/// what the streaming one refuses.
@Suite struct ZstdContextReuseTests {
    /// Small, varied buffers: some compressible, some random, some empty.
    static func buffers() -> [[UInt8]] {
        var state: UInt64 = 7
        return (0..<300).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let n = Int(state >> 54) // 0 ..< 1024
            return i % 3 == 0 ? (0..<n).map { UInt8(truncatingIfNeeded: $0 / 5) }
                              : (0..<n).map { j in UInt8(truncatingIfNeeded: (state >> UInt64(j % 56)) &+ UInt64(j)) }
        }
    }

    @Test func reusedContextsRoundTripEveryFrame() throws {
        let c = try ZstdCompressor()
        let d = try ZstdDecompressor()
        for b in Self.buffers() {
            let frame = try c.compressFrame(b)
            // The same frame a fresh context writes: reuse carries nothing from one frame to the next.
            #expect(frame == (try ZstdCompressor().compressFrame(b)))
            #expect(try d.decompressFrame(frame) == b)
            #expect(try Zstd.decompress(frame) == b, "the streaming decoder reads it too")
        }
    }

    @Test func appendFrameKeepsWhatIsBefore() throws {
        let c = try ZstdCompressor()
        var out: [UInt8] = [9, 8, 7]
        let data = Array(repeating: UInt8(42), count: 500)
        try data.withUnsafeBytes { try c.appendFrame($0, to: &out) }
        #expect(Array(out.prefix(3)) == [9, 8, 7])
        #expect(try ZstdDecompressor().decompressFrame(Array(out.dropFirst(3))) == data)
    }

    @Test func oneShotFramesRejectTruncationCorruptionAndSize() throws {
        let data = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31 / 7) }
        let frame = try ZstdCompressor().compressFrame(data)
        let d = try ZstdDecompressor()
        for cut in 0..<frame.count {
            #expect(throws: ZstdError.self) { try d.decompressFrame(Array(frame[0..<cut])) }
        }
        var rejected = 0
        for pos in 0..<frame.count {
            var bad = frame
            bad[pos] ^= 0x10
            do { #expect(try d.decompressFrame(bad) == data) } catch is ZstdError { rejected += 1 }
        }
        #expect(rejected > frame.count * 9 / 10, "\(rejected) of \(frame.count) flips rejected")
        #expect(throws: ZstdError.self) { try ZstdDecompressor(maxOutput: 2999).decompressFrame(frame) }
        #expect(try d.decompressFrame(frame) == data, "a refused frame leaves the context usable")
    }

    @Test func aStreamedFrameWithoutItsSizeIsRefusedByTheOneShotDecoder() throws {
        let c = try ZstdCompressor()
        let frame = try c.compress(Array(repeating: 1, count: 100)) + c.finish()
        #expect(throws: ZstdError.self) { try ZstdDecompressor().decompressFrame(frame) }
    }
}
