/// Compact, versioned binary encoding of estimator state, for checkpoints.
///
/// Every estimator encodes itself as a *sealed record*:
///
///     magic "SHST" | tag (4 bytes) | version (u16) | payload length (u32) | payload | CRC-32C (u32)
///
/// all little-endian. The tag says which estimator wrote it, the version lets a later release
/// read an older state, and the CRC makes a flipped bit an error instead of a wrong statistic.
/// Readers bound every length by the bytes actually left, so garbage can never make them
/// allocate without limit or trap.

/// Why a sealed state could not be read.
public enum StateDecodingError: Error, Equatable, CustomStringConvertible {
    case truncated(needed: Int, remaining: Int)
    case badMagic
    case wrongTag(expected: String, found: String)
    case unsupportedVersion(tag: String, version: UInt16)
    case checksumMismatch
    case trailingBytes(Int)
    case invalid(String)

    public var description: String {
        switch self {
        case let .truncated(needed, remaining): "state truncated: needed \(needed) bytes, \(remaining) left"
        case .badMagic: "not a Shannon state record (bad magic)"
        case let .wrongTag(expected, found): "state record is a '\(found)', expected '\(expected)'"
        case let .unsupportedVersion(tag, version): "'\(tag)' state version \(version) is not supported"
        case .checksumMismatch: "state checksum mismatch (corrupted)"
        case let .trailingBytes(n): "\(n) unexpected bytes after the state"
        case let .invalid(why): "invalid state: \(why)"
        }
    }
}

/// A four-character record tag, e.g. `"PSI1"`.
public struct StateTag: Equatable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(_ text: StaticString) {
        precondition(text.utf8CodeUnitCount == 4, "a state tag has four ASCII characters")
        var v: UInt32 = 0
        text.withUTF8Buffer { for (i, b) in $0.enumerated() { v |= UInt32(b) << (8 * UInt32(i)) } }
        rawValue = v
    }
    init(rawValue: UInt32) { self.rawValue = rawValue }
    public var description: String {
        String(decoding: (0..<4).map { UInt8(truncatingIfNeeded: rawValue >> (8 * UInt32($0))) }, as: UTF8.self)
    }
}

/// A value that can be written to and read back from a checkpoint exactly.
public protocol StateCodable {
    /// Appends the sealed record of this value.
    func encode(to writer: inout StateWriter)
    /// Reads one sealed record; throws `StateDecodingError` on anything malformed.
    init(from reader: inout StateReader) throws
}

extension StateCodable {
    /// This value as a standalone sealed record.
    public func encodedState() -> [UInt8] {
        var w = StateWriter()
        encode(to: &w)
        return w.bytes
    }

    /// Decodes a standalone sealed record, rejecting trailing bytes.
    public init(encodedState bytes: [UInt8]) throws {
        var r = StateReader(bytes)
        self = try Self(from: &r)
        try r.expectEnd()
    }
}

/// Appends little-endian primitives; `beginRecord`/`endRecord` frame a sealed record.
public struct StateWriter {
    public private(set) var bytes: [UInt8]
    private var openRecords: [Int] = []

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    static let magic: UInt32 = 0x5453_4853 // "SHST" little-endian

    /// Opens a sealed record; every `beginRecord` needs its `endRecord`. Records nest.
    public mutating func beginRecord(_ tag: StateTag, version: UInt16) {
        write(Self.magic)
        write(tag.rawValue)
        write(version)
        openRecords.append(bytes.count)
        write(UInt32(0)) // length, patched by endRecord
    }

    /// Closes the innermost record: patches its length and appends the CRC of its payload.
    public mutating func endRecord() {
        let lengthAt = openRecords.removeLast()
        let payloadStart = lengthAt + 4
        let length = UInt32(bytes.count - payloadStart)
        withUnsafeBytes(of: length.littleEndian) { src in
            for i in 0..<4 { bytes[lengthAt + i] = src[i] }
        }
        let crc = bytes.withUnsafeBufferPointer { CRC32C.checksum(UnsafeBufferPointer(rebasing: $0[payloadStart...])) }
        write(crc)
    }

    public mutating func write(_ v: UInt8) { bytes.append(v) }
    public mutating func write(_ v: Bool) { bytes.append(v ? 1 : 0) }
    public mutating func write(_ v: UInt16) { appendLE(v) }
    public mutating func write(_ v: UInt32) { appendLE(v) }
    public mutating func write(_ v: UInt64) { appendLE(v) }
    public mutating func write(_ v: Int64) { appendLE(v) }
    public mutating func write(_ v: Int) { appendLE(Int64(v)) }
    public mutating func write(_ v: Double) { appendLE(v.bitPattern) }
    public mutating func write(_ v: Float) { appendLE(v.bitPattern) }

    public mutating func write(_ s: String) {
        write(UInt32(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }

    public mutating func write(_ a: [Double]) { writeArray(a) { $0.write($1) } }
    public mutating func write(_ a: [Float]) { writeArray(a) { $0.write($1) } }
    public mutating func write(_ a: [Int64]) { writeArray(a) { $0.write($1) } }
    public mutating func write(_ a: [UInt32]) { writeArray(a) { $0.write($1) } }

    /// A u32 count, then each element as `element` writes it (the layout of every array).
    private mutating func writeArray<T>(_ a: [T], _ element: (inout StateWriter, T) -> Void) {
        write(UInt32(a.count))
        for v in a { element(&self, v) }
    }

    public mutating func write(bytes raw: [UInt8]) {
        write(UInt32(raw.count))
        bytes.append(contentsOf: raw)
    }

    private mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// Reads what `StateWriter` wrote; every read is bounds-checked and throws, never traps.
public struct StateReader {
    private let bytes: [UInt8]
    public private(set) var position: Int
    private var recordEnds: [Int] = []

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
    }

    /// A reader that starts at `position` (a prefix the caller has already matched), without
    /// copying the bytes after it. A position past the end reads as truncated.
    public init(_ bytes: [UInt8], from position: Int) {
        self.bytes = bytes
        self.position = min(max(position, 0), bytes.count)
    }

    public var remaining: Int { (recordEnds.last ?? bytes.count) - position }

    /// Opens a sealed record of the given tag: checks magic, tag, length and CRC up front.
    /// - Returns: the record's version; the caller checks it is one it can read.
    public mutating func beginRecord(_ tag: StateTag) throws -> UInt16 {
        guard try read(UInt32.self) == StateWriter.magic else { throw StateDecodingError.badMagic }
        let found = StateTag(rawValue: try read(UInt32.self))
        guard found == tag else {
            throw StateDecodingError.wrongTag(expected: tag.description, found: found.description)
        }
        let version = try read(UInt16.self)
        let length = Int(try read(UInt32.self))
        try need(length + 4)
        let payloadStart = position
        let crcAt = payloadStart + length
        // Only the outermost record's CRC is computed: it covers every nested record's bytes
        // (their CRCs included), so checking the nested ones again would read each byte once per
        // nesting level (a key's state nests four deep) for no bit it could catch.
        if recordEnds.isEmpty {
            let stored = UInt32(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: crcAt, as: UInt32.self) })
            let actual = bytes.withUnsafeBufferPointer { CRC32C.checksum(UnsafeBufferPointer(rebasing: $0[payloadStart..<crcAt])) }
            guard stored == actual else { throw StateDecodingError.checksumMismatch }
        }
        recordEnds.append(crcAt)
        return version
    }

    /// Opens a sealed record of `tag` and rejects a version outside `supported`: the first step
    /// of every decoder, so an unknown version fails the same way everywhere.
    /// - Returns: the version, for decoders that read more than one.
    @discardableResult
    public mutating func beginRecord(_ tag: StateTag, supported: ClosedRange<UInt16>) throws -> UInt16 {
        let version = try beginRecord(tag)
        try Self.check(version, tag: tag, supported: supported)
        return version
    }

    /// Closes the innermost record; its payload must have been read completely.
    public mutating func endRecord() throws {
        let end = recordEnds.removeLast()
        guard position == end else { throw StateDecodingError.trailingBytes(end - position) }
        position = end + 4
    }

    /// Throws unless every byte has been consumed.
    public func expectEnd() throws {
        guard position == bytes.count else { throw StateDecodingError.trailingBytes(bytes.count - position) }
    }

    /// Reads a version and fails unless it is in `supported`.
    public static func check(_ version: UInt16, tag: StateTag, supported: ClosedRange<UInt16>) throws {
        guard supported.contains(version) else {
            throw StateDecodingError.unsupportedVersion(tag: tag.description, version: version)
        }
    }

    private func need(_ n: Int) throws {
        guard n >= 0, n <= remaining else { throw StateDecodingError.truncated(needed: n, remaining: remaining) }
    }

    public mutating func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        try need(size)
        let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: position, as: T.self) }
        position += size
        return T(littleEndian: v)
    }

    public mutating func readBool() throws -> Bool {
        switch try read(UInt8.self) {
        case 0: return false
        case 1: return true
        case let b: throw StateDecodingError.invalid("boolean byte \(b)")
        }
    }

    public mutating func readInt() throws -> Int { Int(try read(Int64.self)) }
    public mutating func readDouble() throws -> Double { Double(bitPattern: try read(UInt64.self)) }
    public mutating func readFloat() throws -> Float { Float(bitPattern: try read(UInt32.self)) }

    /// Reads a non-negative count, at most `limit` when given.
    public mutating func readCount(limit: Int = .max) throws -> Int {
        let v = try readInt()
        guard v >= 0, v <= limit else { throw StateDecodingError.invalid("count \(v) out of range 0...\(limit)") }
        return v
    }

    public mutating func readString() throws -> String {
        let n = try arrayCount(elementSize: 1)
        let s = String(decoding: bytes[position..<position + n], as: UTF8.self)
        position += n
        return s
    }

    public mutating func readBytes() throws -> [UInt8] {
        let n = try arrayCount(elementSize: 1)
        let s = Array(bytes[position..<position + n])
        position += n
        return s
    }

    public mutating func readDoubles() throws -> [Double] { try readArray(elementSize: 8) { try $0.readDouble() } }
    public mutating func readFloats() throws -> [Float] { try readArray(elementSize: 4) { try $0.readFloat() } }
    public mutating func readInt64s() throws -> [Int64] { try readArray(elementSize: 8) { try $0.read(Int64.self) } }
    public mutating func readUInt32s() throws -> [UInt32] { try readArray(elementSize: 4) { try $0.read(UInt32.self) } }

    /// What `StateWriter.writeArray` wrote: a count, then each element as `element` reads it.
    private mutating func readArray<T>(elementSize: Int, _ element: (inout StateReader) throws -> T) throws -> [T] {
        let n = try arrayCount(elementSize: elementSize)
        var a = [T]()
        a.reserveCapacity(n)
        for _ in 0..<n { a.append(try element(&self)) }
        return a
    }

    /// A length prefix, checked against the bytes left so garbage cannot force a huge allocation.
    private mutating func arrayCount(elementSize: Int) throws -> Int {
        let n = Int(try read(UInt32.self))
        try need(n * elementSize)
        return n
    }
}

/// CRC-32C (Castagnoli), the checksum of sealed state records.
///
/// Slicing-by-8: eight 256-entry tables let one step fold eight bytes with eight independent
/// lookups instead of eight dependent ones, about 4x the byte-at-a-time loop; the result is the
/// same CRC, so every record written before stays readable.
public enum CRC32C {
    /// `tables[k * 256 + b]`: the CRC of byte b followed by k zero bytes.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 { t[k * 256 + i] = (t[(k - 1) * 256 + i] >> 8) ^ t[Int(t[(k - 1) * 256 + i] & 0xFF)] }
        }
        return t
    }()

    public static func checksum(_ data: UnsafeBufferPointer<UInt8>, seed: UInt32 = 0) -> UInt32 {
        var crc = ~seed
        guard let base = data.baseAddress else { return seed }
        let raw = UnsafeRawPointer(base)
        let n = data.count
        var i = 0
        tables.withUnsafeBufferPointer { t in
            while i + 8 <= n {
                let lo = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt32.self)) ^ crc
                let hi = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
                crc = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                crc = t[Int((crc ^ UInt32(base[i])) & 0xFF)] ^ (crc >> 8)
                i += 1
            }
        }
        return ~crc
    }

    public static func checksum(_ data: [UInt8], seed: UInt32 = 0) -> UInt32 {
        data.withUnsafeBufferPointer { checksum($0, seed: seed) }
    }
}
