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
    ///
    /// The context is reused from call to call: creating one costs more than compressing a few
    /// hundred bytes (it allocates and clears its tables), so callers with many small buffers —
    /// a changelog entry per key — keep one compressor for all of them.
    public func compressFrame(_ input: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        try input.withUnsafeBytes { try appendFrame($0, to: &out) }
        return out
    }

    /// Compresses `input` as one frame appended to `out` (no intermediate array).
    public func appendFrame(_ input: UnsafeRawBufferPointer, to out: inout [UInt8]) throws {
        _ = ZSTD_CCtx_reset(ctx, ZSTD_reset_session_only)
        let start = out.count
        let bound = ZSTD_compressBound(input.count)
        out.append(contentsOf: repeatElement(0, count: bound))
        let written = try out.withUnsafeMutableBytes { dst in
            try ZstdError.check(ZSTD_compress2(ctx, dst.baseAddress! + start, bound, input.baseAddress, input.count))
        }
        out.removeSubrange((start + written)...)
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
    /// The streaming output buffer, allocated on first streaming use (one-shot frames never need it).
    private var scratch: [UInt8] = []
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
    }

    /// Decompresses one whole frame that records its content size (as `compressFrame` writes
    /// them), reusing this context: the counterpart of `ZstdCompressor.compressFrame` for many
    /// small frames. Independent of the streaming calls; the checksum is verified.
    ///
    /// - Throws: `ZstdError` for a corrupt or truncated frame, one without its content size, or
    ///   one larger than `maxOutput`.
    public func decompressFrame(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard !input.isEmpty else { throw ZstdError(code: 0, message: "empty input is not a zstd frame") }
        let size = ZSTD_getFrameContentSize(input.baseAddress, input.count)
        if size == ZSTD_CONTENTSIZE_ERROR { throw ZstdError(code: 0, message: "not a zstd frame") }
        if size == ZSTD_CONTENTSIZE_UNKNOWN { throw ZstdError(code: 0, message: "the frame does not record its size") }
        guard size <= UInt64(maxOutput) else {
            throw ZstdError(code: 0, message: "output exceeds the limit of \(maxOutput) bytes")
        }
        _ = ZSTD_DCtx_reset(ctx, ZSTD_reset_session_only)
        var failure: Int = 0
        let out = [UInt8](unsafeUninitializedCapacity: Int(size)) { buffer, count in
            let r = ZSTD_decompressDCtx(ctx, buffer.baseAddress, buffer.count, input.baseAddress, input.count)
            if ZSTD_isError(r) != 0 || r != Int(size) { failure = ZSTD_isError(r) != 0 ? r : -1; count = 0 } else { count = r }
        }
        if failure == -1 { throw ZstdError(code: 0, message: "the frame holds fewer bytes than its header says") }
        if failure != 0 { _ = try ZstdError.check(failure) }
        return out
    }

    public func decompressFrame(_ input: [UInt8]) throws -> [UInt8] {
        try input.withUnsafeBytes { try decompressFrame($0) }
    }

    deinit { ZSTD_freeDCtx(ctx) }

    /// Decompresses a chunk; returns the bytes it completes.
    public func decompress(_ chunk: [UInt8]) throws -> [UInt8] {
        var result: [UInt8] = []
        if scratch.isEmpty { scratch = [UInt8](repeating: 0, count: ZSTD_DStreamOutSize()) }
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
