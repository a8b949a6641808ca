import ShannonStats
import CSimdJSON

// The per-field plans, slots and label matching `RecordDecoder` runs over: resolved once at
// construction, trivial types so the hot loop does no reference counting.

/// What the decoder needs to know about one field, resolved once. Trivial (no references), so
/// reading it in the hot loop costs no reference counting.
struct FieldPlan {
    var index: Int
    var path: Int32
    var type: FieldType
    var optional: Bool
    var dim: Int
    var tokenizer: Tokenizer

    init(_ f: FieldSpec, path: Int32, index: Int) {
        self.index = index
        self.path = path
        type = f.type
        optional = f.optional
        dim = f.dim ?? 0
        tokenizer = f.tokenizer
    }
}

/// Per-field storage reused record after record.
struct FieldSlot {
    var present = false
    var scalar = Double.nan
    var id: UInt64 = 0
    var text: UnsafeRawPointer?
    var textCount = 0
    var buffer: UnsafeMutableRawPointer?
    var capacity = 0
    var count = 0
    /// Scratch for integer categories rendered as text.
    var digits = UnsafeMutablePointer<UInt8>.allocate(capacity: 24)

    mutating func grow(elements: Int, stride: Int) {
        buffer?.deallocate()
        capacity = Swift.max(elements, 1)
        buffer = .allocate(byteCount: capacity * stride, alignment: 8)
        count = 0
    }

    func release() {
        buffer?.deallocate()
        digits.deallocate()
    }
}

/// `bad_values` / `good_values` of a label field, pre-split by kind so matching is a few compares.
struct LabelMatcher {
    enum Verdict { case bad, good, unknown, notScalar }
    struct Set {
        var numbers: [Double] = []
        var strings: [UInt64] = []
        var bools: [Bool] = []

        init(_ values: [LabelValue]) {
            for v in values {
                switch v {
                case .number(let d): numbers.append(d)
                case .string(let s): strings.append(TokenHash.fnv1a64(s))
                case .bool(let b): bools.append(b)
                }
            }
        }

        @inline(__always)
        func contains(kind: Int32, value: csj_value) -> Bool {
            switch kind {
            case Int32(CSJ_BOOL): return bools.contains(value.boolean != 0)
            case Int32(CSJ_INT64), Int32(CSJ_UINT64), Int32(CSJ_DOUBLE): return numbers.contains(value.number)
            case Int32(CSJ_STRING):
                return strings.contains(TokenHash.fnv1a64(UnsafeRawBufferPointer(start: value.str, count: value.len)))
            default: return false
            }
        }
    }
    var bad: Set
    var good: Set?

    init(bad: [LabelValue], good: [LabelValue]?) {
        self.bad = Set(bad)
        self.good = good.map(Set.init)
    }

    @inline(__always)
    func classify(kind: Int32, value: csj_value) -> Verdict {
        guard kind == Int32(CSJ_BOOL) || kind == Int32(CSJ_INT64) || kind == Int32(CSJ_UINT64)
            || kind == Int32(CSJ_DOUBLE) || kind == Int32(CSJ_STRING) else { return .notScalar }
        if bad.contains(kind: kind, value: value) { return .bad }
        guard let good else { return .good }
        return good.contains(kind: kind, value: value) ? .good : .unknown
    }
}
