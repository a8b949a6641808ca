/// A small JSON writer for alerts, dead-letter records and window figures.
///
/// Hand-written because Foundation's encoders are too slow for the run loop, reorder keys and
/// round doubles. This one writes keys in the order given (so the output is deterministic),
/// doubles as Swift's shortest round-trip text (`Double(text) == value` exactly), NaN and
/// infinities as `null` (JSON has no such numbers), and escapes strings per RFC 8259.
/// Appends to one buffer; `reset()` keeps its capacity so a reused writer does not allocate.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8]
    /// Per open container: has it got an element yet (comma needed before the next)?
    private var hasElement: [Bool] = []
    private var afterKey = false

    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
        hasElement.reserveCapacity(16)
    }

    /// The text written so far.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Empties the buffer, keeping its capacity.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        hasElement.removeAll(keepingCapacity: true)
        afterKey = false
    }

    // MARK: Structure

    public mutating func beginObject() { valueStart(); bytes.append(UInt8(ascii: "{")); hasElement.append(false) }
    public mutating func endObject() { hasElement.removeLast(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { valueStart(); bytes.append(UInt8(ascii: "[")); hasElement.append(false) }
    public mutating func endArray() { hasElement.removeLast(); bytes.append(UInt8(ascii: "]")) }

    /// An object member's name; the next value written is its value.
    public mutating func key(_ name: String) {
        valueStart()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    // MARK: Values

    public mutating func null() { valueStart(); appendLiteral("null") }
    public mutating func bool(_ v: Bool) { valueStart(); appendLiteral(v ? "true" : "false") }
    public mutating func string(_ s: String) { valueStart(); appendString(s) }

    /// Shortest text that reads back as exactly `v`; NaN and ±infinity become `null`.
    public mutating func number(_ v: Double) {
        valueStart()
        guard v.isFinite else { appendLiteral("null"); return }
        bytes.append(contentsOf: v.description.utf8)
    }

    public mutating func number(_ v: Int64) {
        valueStart()
        appendInteger(v)
    }

    public mutating func number(_ v: Int) { number(Int64(v)) }

    /// Inserts already-encoded JSON as one value (the caller vouches that it is valid JSON).
    public mutating func raw(_ json: [UInt8]) { valueStart(); bytes.append(contentsOf: json) }

    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: null()
        case let .bool(b): bool(b)
        case let .int(i): number(i)
        case let .number(d): number(d)
        case let .string(s): string(s)
        case let .array(items):
            beginArray()
            for item in items { value(item) }
            endArray()
        case let .object(members):
            beginObject()
            for m in members { key(m.name); value(m.value) }
            endObject()
        }
    }

    // MARK: Members (key + value)

    public mutating func field(_ name: String, _ v: String) { key(name); string(v) }
    public mutating func field(_ name: String, _ v: String?) { key(name); if let v { string(v) } else { null() } }
    public mutating func field(_ name: String, _ v: Double) { key(name); number(v) }
    public mutating func field(_ name: String, _ v: Double?) { key(name); if let v { number(v) } else { null() } }
    public mutating func field(_ name: String, _ v: Int) { key(name); number(Int64(v)) }
    public mutating func field(_ name: String, _ v: Int64) { key(name); number(v) }
    public mutating func field(_ name: String, _ v: Int64?) { key(name); if let v { number(v) } else { null() } }
    public mutating func field(_ name: String, _ v: Bool) { key(name); bool(v) }
    public mutating func field(_ name: String, _ v: JSONValue) { key(name); value(v) }

    // MARK: Internals

    @inline(__always)
    private mutating func valueStart() {
        if afterKey { afterKey = false; return }
        guard let last = hasElement.indices.last else { return }
        if hasElement[last] { bytes.append(UInt8(ascii: ",")) } else { hasElement[last] = true }
    }

    private mutating func appendLiteral(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func appendInteger(_ v: Int64) {
        if v == 0 { bytes.append(UInt8(ascii: "0")); return }
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        var m = v.magnitude
        let start = bytes.count
        while m > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(m % 10))
            m /= 10
        }
        bytes[start...].reverse()
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "f"))
            case 0..<0x20:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          Self.hexDigits[Int(b >> 4)], Self.hexDigits[Int(b & 0xF)]])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
