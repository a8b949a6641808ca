import ShannonStats
import ShannonZstd

/// The on-disk shape of one checkpoint generation:
///
///     "SHANCKPT"                                   8-byte file magic
///     sealed record "CKPH" v1 (header):            StateWriter framing: magic, tag, version,
///        pipeline, topic, partition, next offset,  length, payload, CRC-32C of the payload
///        generation, creation time (epoch ms),     (= the header checksum)
///        fingerprints [(stage id, UInt64)] sorted,
///        body length, uncompressed length,
///        CRC-32C of the compressed body
///     body: one zstd frame (with zstd's own content checksum) of
///        sealed record "CKPB" v1: entries [(stage id, key, state bytes)], reserved bytes (empty)
///
/// Three independent checks guard the body (header CRC over its lengths and CRC, the body CRC,
/// zstd's frame checksum, then the inner record's CRC), so a damaged or cut file is always
/// detected and never read as a plausible but wrong state.
public enum CheckpointFile {
    /// The format version this build writes and reads.
    public static let formatVersion: UInt16 = 1
    static let fileMagic: [UInt8] = Array("SHANCKPT".utf8)
    static let headerTag = StateTag("CKPH")
    static let bodyTag = StateTag("CKPB")
    /// Refuse bodies that claim to decompress to more than this (a damaged length cannot make us allocate without bound).
    public static let maxUncompressedBytes = 1 << 34

    /// The header fields of a checkpoint file, readable without decompressing the body.
    ///
    /// The checkpoint's own fields (pipeline, partition, next offset, generation, …) are those of
    /// `checkpoint`, read through as `header.generation`; only the file's framing is added here.
    @dynamicMemberLookup
    public struct Header: Equatable, Sendable {
        public var formatVersion: UInt16
        /// The checkpoint as the header describes it; its `entries` are empty (they are the body).
        public var checkpoint: Checkpoint
        public var bodyLength: UInt64
        public var uncompressedLength: UInt64
        public var bodyCRC: UInt32
        /// Bytes taken by magic + header record (the body starts here).
        public var headerLength: Int

        public subscript<T>(dynamicMember path: KeyPath<Checkpoint, T>) -> T { checkpoint[keyPath: path] }
    }

    /// Serialises a checkpoint into the file format above.
    public static func encode(_ c: Checkpoint, level: Int32 = Zstd.defaultLevel) throws -> [UInt8] {
        var body = StateWriter(capacity: 1024 + c.entries.reduce(0) { $0 + $1.state.count + 32 })
        body.beginRecord(bodyTag, version: 1)
        body.write(c.entries.count)
        for e in c.entries {
            body.write(e.stageId)
            body.write(e.key)
            body.write(bytes: e.state)
        }
        // Reserved (once a free-form "runtime" section no run loop ever filled): always empty,
        // kept so that files of format version 1 keep their layout.
        body.write(bytes: [])
        body.endRecord()
        let compressed = try Zstd.compress(body.bytes, level: level)

        var h = StateWriter(capacity: 256)
        h.beginRecord(headerTag, version: formatVersion)
        h.write(c.pipeline)
        h.write(c.topic)
        h.write(UInt32(bitPattern: c.partition))
        h.write(c.nextOffset)
        h.write(c.generation)
        h.write(c.createdAtMs)
        let stages = c.fingerprints.keys.sorted()
        h.write(stages.count)
        for s in stages {
            h.write(s)
            h.write(c.fingerprints[s]!)
        }
        h.write(UInt64(compressed.count))
        h.write(UInt64(body.bytes.count))
        h.write(CRC32C.checksum(compressed))
        h.endRecord()

        var out = fileMagic
        out.reserveCapacity(fileMagic.count + h.bytes.count + compressed.count)
        out.append(contentsOf: h.bytes)
        out.append(contentsOf: compressed)
        return out
    }

    /// Reads and checks the header only.
    /// - Throws: `CheckpointDefect`.
    public static func decodeHeader(_ bytes: [UInt8]) throws -> Header {
        guard bytes.count >= fileMagic.count else {
            throw CheckpointDefect.truncated("\(bytes.count) bytes, shorter than the file magic")
        }
        guard Array(bytes[0..<fileMagic.count]) == fileMagic else { throw CheckpointDefect.badMagic }
        var r = StateReader(Array(bytes[fileMagic.count...]))
        do {
            let version = try r.beginRecord(headerTag)
            guard version == formatVersion else { throw CheckpointDefect.unsupportedVersion(version) }
            let pipeline = try r.readString()
            let topic = try r.readString()
            let partition = Int32(bitPattern: try r.read(UInt32.self))
            let nextOffset = try r.read(Int64.self)
            let generation = try r.read(UInt64.self)
            let createdAt = try r.read(Int64.self)
            let n = try r.readCount(limit: r.remaining / 12)
            var fingerprints: [String: UInt64] = [:]
            for _ in 0..<n {
                let stage = try r.readString()
                fingerprints[stage] = try r.read(UInt64.self)
            }
            let bodyLength = try r.read(UInt64.self)
            let uncompressed = try r.read(UInt64.self)
            let crc = try r.read(UInt32.self)
            try r.endRecord()
            let described = Checkpoint(pipeline: pipeline, topic: topic, partition: partition, nextOffset: nextOffset,
                                       generation: generation, createdAtMs: createdAt, fingerprints: fingerprints,
                                       entries: [])
            return Header(formatVersion: version, checkpoint: described, bodyLength: bodyLength,
                          uncompressedLength: uncompressed, bodyCRC: crc, headerLength: fileMagic.count + r.position)
        } catch let d as CheckpointDefect {
            throw d
        } catch let e as StateDecodingError {
            throw defect(e, part: "header")
        }
    }

    /// Reads, checks and decompresses a whole checkpoint file.
    /// - Throws: `CheckpointDefect` describing the first problem found.
    public static func decode(_ bytes: [UInt8]) throws -> Checkpoint {
        let h = try decodeHeader(bytes)
        let available = bytes.count - h.headerLength
        guard h.bodyLength <= UInt64(Int.max), Int(h.bodyLength) <= available else {
            throw CheckpointDefect.truncated("body has \(available) of \(h.bodyLength) bytes")
        }
        guard Int(h.bodyLength) == available else {
            throw CheckpointDefect.corrupt("\(available - Int(h.bodyLength)) bytes after the body")
        }
        guard h.uncompressedLength <= UInt64(maxUncompressedBytes) else {
            throw CheckpointDefect.corrupt("uncompressed length \(h.uncompressedLength) exceeds the limit")
        }
        let compressed = Array(bytes[h.headerLength...])
        guard CRC32C.checksum(compressed) == h.bodyCRC else { throw CheckpointDefect.bodyChecksum }
        let raw: [UInt8]
        do {
            raw = try Zstd.decompress(compressed, maxOutput: Int(h.uncompressedLength))
        } catch {
            throw CheckpointDefect.corrupt("body does not decompress: \(error)")
        }
        guard raw.count == Int(h.uncompressedLength) else {
            throw CheckpointDefect.corrupt("body decompressed to \(raw.count) bytes, header says \(h.uncompressedLength)")
        }
        var r = StateReader(raw)
        do {
            let v = try r.beginRecord(bodyTag)
            guard v == 1 else { throw CheckpointDefect.unsupportedVersion(v) }
            // An entry takes at least 12 bytes (three length prefixes).
            let n = try r.readCount(limit: r.remaining / 12)
            var entries: [CheckpointEntry] = []
            entries.reserveCapacity(n)
            for _ in 0..<n {
                let stage = try r.readString()
                let key = try r.readString()
                entries.append(CheckpointEntry(stageId: stage, key: key, state: try r.readBytes()))
            }
            _ = try r.readBytes() // the reserved section (see `encode`)
            try r.endRecord()
            try r.expectEnd()
            var checkpoint = h.checkpoint
            checkpoint.entries = entries
            return checkpoint
        } catch let d as CheckpointDefect {
            throw d
        } catch let e as StateDecodingError {
            throw defect(e, part: "body")
        }
    }

    private static func defect(_ e: StateDecodingError, part: String) -> CheckpointDefect {
        switch e {
        case let .truncated(needed, remaining): .truncated("\(part): needed \(needed) bytes, \(remaining) left")
        case .checksumMismatch: part == "header" ? .headerChecksum : .corrupt("body record checksum")
        case let .unsupportedVersion(_, v): .unsupportedVersion(v)
        default: .corrupt("\(part): \(e)")
        }
    }
}
