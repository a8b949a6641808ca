import ShannonStats
import CSimdJSON

/// Decodes JSON records into the fields a `DecodeSpec` declares, into storage allocated once.
///
/// Hot path: one `decode(_:)` per record copies the bytes into simdjson's padded buffer, parses
/// them (DOM, runtime-dispatched SIMD kernel) and locates every declared path in one walk over
/// the record (the trie of Sources/CSimdJSON/path_plan.hpp), which fills `values`; numbers, labels,
/// category ids, vectors, token ids and number arrays land in per-field slots that are reused by
/// the next record. Nothing allocates in steady state (token/number buffers only grow, to the
/// largest record seen). Read the slots with the accessors below until the next `decode`.
///
/// Not thread-safe and not `Sendable`: one decoder per consuming task, created where it is used.
public final class RecordDecoder {
    public let spec: DecodeSpec
    private let handle: OpaquePointer
    /// What the one walk found, one entry per compiled path id (`FieldPlan.path`).
    private let values: UnsafeMutablePointer<csj_value>
    /// Trivial (retain-free) per-slot plans for the hot loop; names and label sets live apart.
    private let plans: UnsafeMutablePointer<FieldPlan>
    private let names: [String]
    private let pathTexts: [String]
    private let labelMatchers: [LabelMatcher]
    /// Slots 0..<fields.count are the declared fields; then the key, then the event time.
    private let slots: UnsafeMutablePointer<FieldSlot>
    private let slotCount: Int
    private let keySlot: Int
    private let timeSlot: Int
    private var counters: [Int]
    /// Records decoded successfully (unchecked exclusivity: a per-record counter of a
    /// thread-confined decoder).
    @exclusivity(unchecked) public private(set) var okCount = 0

    /// Fails only when memory for the parser cannot be allocated.
    public init?(spec: DecodeSpec) {
        guard let h = csj_create(spec.maxRecordBytes) else { return nil }
        self.spec = spec
        self.handle = h
        var plans: [FieldPlan] = []
        var specs: [FieldSpec] = []
        func compile(_ path: String?) -> Int32 {
            guard let path else { return -1 }
            let length = path.utf8.count
            return path.withCString { csj_add_path(h, $0, length) }
        }
        for f in spec.fields {
            plans.append(FieldPlan(f, path: compile(f.path), index: specs.count))
            specs.append(f)
        }
        keySlot = plans.count
        let key = FieldSpec(name: "(key)", path: spec.keyPath ?? "", type: .category)
        plans.append(FieldPlan(key, path: compile(spec.keyPath), index: specs.count))
        specs.append(key)
        timeSlot = plans.count
        let time = FieldSpec(name: "(event_time)", path: spec.eventTimePath ?? "", type: .number)
        plans.append(FieldPlan(time, path: compile(spec.eventTimePath), index: specs.count))
        specs.append(time)
        names = specs.map(\.name)
        pathTexts = specs.map(\.path)
        labelMatchers = specs.map { LabelMatcher(bad: $0.badValues, good: $0.goodValues) }
        self.plans = .allocate(capacity: plans.count)
        self.plans.initialize(from: plans, count: plans.count)
        slotCount = plans.count
        slots = .allocate(capacity: plans.count)
        for (i, plan) in plans.enumerated() {
            var slot = FieldSlot()
            switch plan.type {
            case .vector: slot.grow(elements: plan.dim, stride: MemoryLayout<Float>.stride)
            case .tokens, .numbers: slot.grow(elements: 64, stride: 8)
            default: break
            }
            (slots + i).initialize(to: slot)
        }
        let valueCount = Swift.max(csj_path_count(h), 1)
        values = .allocate(capacity: valueCount)
        values.initialize(repeating: csj_value(), count: valueCount)
        counters = Array(repeating: 0, count: DeadLetterReason.allCases.count)
    }

    deinit {
        for i in 0..<slotCount { slots[i].release() }
        slots.deallocate()
        plans.deallocate()
        values.deallocate()
        csj_destroy(handle)
    }

    // MARK: Decoding

    /// Decodes one record's value bytes (any buffer; it is copied into padded storage).
    public func decode(_ bytes: UnsafeRawBufferPointer) -> DecodeResult {
        let result = decodeRecord(bytes)
        switch result {
        case .ok: okCount += 1
        case .bad(let reason, _): counters[reason.index] += 1
        }
        return result
    }

    /// Convenience for tests and tools.
    public func decode(_ bytes: [UInt8]) -> DecodeResult {
        bytes.withUnsafeBytes { decode($0) }
    }

    public func decode(_ text: String) -> DecodeResult {
        var text = text
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    /// Counts one record as `reason` without decoding it (the runtime's `late`).
    public func count(_ reason: DeadLetterReason) { counters[reason.index] += 1 }

    /// Records rejected for `reason` since creation.
    public func badCount(_ reason: DeadLetterReason) -> Int { counters[reason.index] }

    /// Every reason's count (for metrics; allocates).
    public var badCounts: [DeadLetterReason: Int] {
        Dictionary(uniqueKeysWithValues: DeadLetterReason.allCases.map { ($0, counters[$0.index]) })
    }

    private func decodeRecord(_ bytes: UnsafeRawBufferPointer) -> DecodeResult {
        if bytes.count > spec.maxRecordBytes {
            return .bad(reason: .oversized, detail: "\(bytes.count) bytes > max_record_bytes \(spec.maxRecordBytes)")
        }
        let base = bytes.baseAddress ?? UnsafeRawPointer(slots)
        switch csj_parse(handle, base, bytes.count, values) {
        case Int32(CSJ_PARSE_OK): break
        case Int32(CSJ_PARSE_NOT_OBJECT): return .bad(reason: .notAnObject, detail: "the record is not a JSON object")
        case Int32(CSJ_PARSE_NUMBER):
            if NumberScan.hasOutOfRangeNumber(bytes) {
                return .bad(reason: .notFinite, detail: "a number is out of the range of Double")
            }
            return .bad(reason: .malformedJSON, detail: String(cString: csj_last_error(handle)))
        case Int32(CSJ_PARSE_OVERSIZED):
            return .bad(reason: .oversized, detail: "\(bytes.count) bytes > max_record_bytes \(spec.maxRecordBytes)")
        default: return .bad(reason: .malformedJSON, detail: String(cString: csj_last_error(handle)))
        }
        for i in 0..<slotCount {
            let plan = plans[i]
            if plan.path < 0 {
                slots[i].present = false
                continue
            }
            if let failure = extract(plan, into: &slots[i]) { return failure }
        }
        return .ok
    }

    @inline(__always)
    private func extract(_ plan: FieldPlan, into slot: inout FieldSlot) -> DecodeResult? {
        slot.present = true
        switch plan.type {
        case .vector:
            return readArray(plan, &slot, stride: 4) { h, p, out, cap, n in
                csj_get_floats(h, p, out.assumingMemoryBound(to: Float.self), cap, n)
            }
        case .numbers:
            return readArray(plan, &slot, stride: 8) { h, p, out, cap, n in
                csj_get_doubles(h, p, out.assumingMemoryBound(to: Double.self), cap, n)
            }
        default: break
        }
        let value = values[Int(plan.path)]
        let kind = value.kind
        if kind == Int32(CSJ_MISSING) || kind == Int32(CSJ_NULL) {
            slot.present = false
            slot.scalar = .nan
            slot.count = 0
            slot.id = 0
            slot.textCount = 0
            if plan.optional { return nil }
            return .bad(reason: .missingField,
                        detail: "`\(names[plan.index])` (path \(pathTexts[plan.index])) is \(kind == Int32(CSJ_NULL) ? "null" : "missing")")
        }
        switch plan.type {
        case .number:
            guard kind == Int32(CSJ_INT64) || kind == Int32(CSJ_UINT64) || kind == Int32(CSJ_DOUBLE) else {
                return wrongType(plan, expected: "a number", kind: kind)
            }
            guard value.number.isFinite else {
                return .bad(reason: .notFinite, detail: "`\(names[plan.index])` is not finite")
            }
            slot.scalar = value.number
        case .label:
            switch labelMatchers[plan.index].classify(kind: kind, value: value) {
            case .bad: slot.scalar = 1
            case .good: slot.scalar = 0
            case .unknown:
                return .bad(reason: .badLabel,
                            detail: "`\(names[plan.index])` = \(Self.render(kind: kind, value: value)) is neither a bad nor a good value")
            case .notScalar:
                return wrongType(plan, expected: "a number, string or boolean", kind: kind)
            }
        case .category:
            switch kind {
            case Int32(CSJ_STRING):
                slot.text = UnsafeRawPointer(value.str)
                slot.textCount = value.len
            case Int32(CSJ_INT64), Int32(CSJ_UINT64):
                slot.textCount = Self.renderInteger(kind: kind, value: value, into: slot.digits)
                slot.text = UnsafeRawPointer(slot.digits)
            case Int32(CSJ_BOOL):
                slot.text = value.boolean != 0 ? Self.trueText : Self.falseText
                slot.textCount = value.boolean != 0 ? 4 : 5
            default:
                return wrongType(plan, expected: "a string (or an integer)", kind: kind)
            }
            slot.id = TokenHash.fnv1a64(UnsafeRawBufferPointer(start: slot.text, count: slot.textCount))
        case .tokens:
            if kind == Int32(CSJ_STRING) {
                if slot.capacity < value.len { slot.grow(elements: Swift.max(value.len, slot.capacity * 2), stride: 8) }
                slot.count = TokenScanner.tokenize(UnsafeRawBufferPointer(start: value.str, count: value.len),
                                                plan.tokenizer,
                                                into: slot.buffer!.assumingMemoryBound(to: UInt64.self))
            } else if kind == Int32(CSJ_ARRAY) {
                if let failure = readArray(plan, &slot, stride: 8, body: { h, p, out, cap, n in
                    csj_get_token_ids(h, p, out.assumingMemoryBound(to: UInt64.self), cap, n)
                }) {
                    if failure.reason == .wrongType {
                        return wrongType(plan, expected: "a string or an array of strings/integers", kind: kind)
                    }
                    return failure
                }
            } else {
                return wrongType(plan, expected: "a string or an array of strings/integers", kind: kind)
            }
        case .vector, .numbers:
            break
        }
        return nil
    }

    /// Reads an array through one of the csj_get_* readers, growing the slot (tokens, numbers)
    /// or checking the dimension (vectors).
    @inline(__always)
    private func readArray(
        _ plan: FieldPlan, _ slot: inout FieldSlot, stride: Int,
        body: (OpaquePointer, Int32, UnsafeMutableRawPointer, Int, UnsafeMutablePointer<Int>) -> Int32
    ) -> DecodeResult? {
        var n = 0
        var status = body(handle, plan.path, slot.buffer!, slot.capacity, &n)
        if status == Int32(CSJ_ARRAY_TOO_LONG), plan.type != .vector {
            slot.grow(elements: Swift.max(n, slot.capacity * 2), stride: stride)
            status = body(handle, plan.path, slot.buffer!, slot.capacity, &n)
        }
        slot.count = n
        switch status {
        case Int32(CSJ_ARRAY_OK):
            if plan.type == .vector, n != plan.dim {
                return .bad(reason: .wrongDimension, detail: "`\(names[plan.index])` has \(n) elements, expected dim \(plan.dim)")
            }
            return nil
        case Int32(CSJ_ARRAY_MISSING):
            let kind = values[Int(plan.path)].kind
            slot.present = false
            slot.count = 0
            if plan.optional && (kind == Int32(CSJ_MISSING) || kind == Int32(CSJ_NULL)) { return nil }
            return .bad(reason: .missingField, detail: "`\(names[plan.index])` (path \(pathTexts[plan.index])) is missing")
        case Int32(CSJ_ARRAY_WRONG_TYPE):
            let kind = values[Int(plan.path)].kind
            if kind == Int32(CSJ_NULL) {
                slot.present = false
                slot.count = 0
                if plan.optional { return nil }
                return .bad(reason: .missingField, detail: "`\(names[plan.index])` (path \(pathTexts[plan.index])) is null")
            }
            if kind == Int32(CSJ_ARRAY) {
                return .bad(reason: .wrongType, detail: "`\(names[plan.index])` has an element of the wrong type")
            }
            return wrongType(plan, expected: "an array of numbers", kind: kind)
        case Int32(CSJ_ARRAY_NOT_FINITE):
            return .bad(reason: .notFinite, detail: "`\(names[plan.index])` has an element out of range")
        default:
            return .bad(reason: .wrongDimension, detail: "`\(names[plan.index])` has \(n) elements, expected dim \(plan.dim)")
        }
    }

    private func wrongType(_ plan: FieldPlan, expected: String, kind: Int32) -> DecodeResult {
        .bad(reason: .wrongType, detail: "`\(names[plan.index])`: expected \(expected), found \(Self.kindName(kind))")
    }

    // MARK: Reading the last record

    /// Index of a declared field (the order of `spec.fields`).
    public func fieldIndex(named name: String) -> Int? { spec.fields.firstIndex { $0.name == name } }

    /// False for an optional field that was missing or null.
    @inline(__always) public func isPresent(_ field: Int) -> Bool { slots[field].present }
    /// `number` fields (NaN when absent).
    @inline(__always) public func number(_ field: Int) -> Double { slots[field].scalar }
    /// `label` fields: true when the value is one of `bad_values`.
    @inline(__always) public func isBad(_ field: Int) -> Bool { slots[field].scalar == 1 }
    /// `category` fields: FNV-1a 64 of the text.
    @inline(__always) public func categoryID(_ field: Int) -> UInt64 { slots[field].id }
    /// `category` fields: the text bytes, valid until the next `decode`.
    @inline(__always) public func categoryBytes(_ field: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: slots[field].text, count: slots[field].textCount)
    }
    /// `category` fields as a String (allocates: for alerts, not for the hot path).
    public func categoryText(_ field: Int) -> String { String(decoding: categoryBytes(field), as: UTF8.self) }
    /// `vector` fields: exactly `dim` floats.
    @inline(__always) public func vector(_ field: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: slots[field].buffer?.assumingMemoryBound(to: Float.self), count: slots[field].count)
    }
    /// `tokens` fields: token ids in order.
    @inline(__always) public func tokens(_ field: Int) -> UnsafeBufferPointer<UInt64> {
        UnsafeBufferPointer(start: slots[field].buffer?.assumingMemoryBound(to: UInt64.self), count: slots[field].count)
    }
    /// `numbers` fields.
    @inline(__always) public func numbers(_ field: Int) -> UnsafeBufferPointer<Double> {
        UnsafeBufferPointer(start: slots[field].buffer?.assumingMemoryBound(to: Double.self), count: slots[field].count)
    }

    /// The `decode.key` value's id (nil when no key path is declared: use the Kafka key).
    public var keyID: UInt64? { slots[keySlot].present ? slots[keySlot].id : nil }
    public var keyBytes: UnsafeRawBufferPointer? { slots[keySlot].present ? categoryBytes(keySlot) : nil }
    /// `decode.event_time` in epoch milliseconds (nil when not declared).
    public var eventTimeMs: Int64? {
        let s = slots[timeSlot]
        guard s.present, s.scalar.isFinite, abs(s.scalar) < 9.2e18 else { return nil }
        return Int64(s.scalar)
    }

    // MARK: Rendering helpers (bad path only)

    private static var trueText: UnsafeRawPointer { UnsafeRawPointer(("true" as StaticString).utf8Start) }
    private static var falseText: UnsafeRawPointer { UnsafeRawPointer(("false" as StaticString).utf8Start) }

    static func kindName(_ kind: Int32) -> String {
        switch kind {
        case Int32(CSJ_NULL): return "null"
        case Int32(CSJ_BOOL): return "a boolean"
        case Int32(CSJ_INT64), Int32(CSJ_UINT64), Int32(CSJ_DOUBLE): return "a number"
        case Int32(CSJ_STRING): return "a string"
        case Int32(CSJ_ARRAY): return "an array"
        case Int32(CSJ_OBJECT): return "an object"
        default: return "nothing"
        }
    }

    static func render(kind: Int32, value: csj_value) -> String {
        switch kind {
        case Int32(CSJ_BOOL): return value.boolean != 0 ? "true" : "false"
        case Int32(CSJ_INT64): return String(value.integer)
        case Int32(CSJ_UINT64): return String(value.uinteger)
        case Int32(CSJ_DOUBLE): return String(value.number)
        case Int32(CSJ_STRING):
            return "\"" + String(decoding: UnsafeRawBufferPointer(start: value.str, count: value.len), as: UTF8.self) + "\""
        default: return kindName(kind)
        }
    }

    /// Decimal digits of an integer into `out` (≥ 20 bytes); returns the length.
    @inline(__always)
    static func renderInteger(kind: Int32, value: csj_value, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var magnitude: UInt64
        var negative = false
        if kind == Int32(CSJ_INT64) {
            negative = value.integer < 0
            magnitude = value.integer.magnitude
        } else {
            magnitude = value.uinteger
        }
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0) // 24 bytes of scratch
        return withUnsafeMutableBytes(of: &tmp) { scratch in
            var n = 0
            repeat {
                scratch[n] = UInt8(truncatingIfNeeded: 48 + magnitude % 10)
                magnitude /= 10
                n += 1
            } while magnitude > 0
            var length = 0
            if negative { out[0] = UInt8(ascii: "-"); length = 1 }
            for i in stride(from: n - 1, through: 0, by: -1) { out[length] = scratch[i]; length += 1 }
            return length
        }
    }
}
