/// Why a record went to the dead-letter topic instead of the stages (the `reason` of
/// schemas/dead-letter.schema.json).
public enum DeadLetterReason: String, Sendable, CaseIterable, Equatable {
    case malformedJSON = "malformed_json"
    case notAnObject = "not_an_object"
    case missingField = "missing_field"
    case wrongType = "wrong_type"
    /// NaN/±∞, or a number outside the range of Double (or of Float, for vectors).
    case notFinite = "not_finite"
    case wrongDimension = "wrong_dimension"
    /// Longer than `decode.max_record_bytes`.
    case oversized
    /// A label value outside `bad_values` ∪ `good_values`.
    case badLabel = "bad_label"
    /// Reserved for the runtime: an event-time record behind its window's allowed lateness.
    case late

    /// Dense index for counter arrays.
    public var index: Int { Self.allCases.firstIndex(of: self)! }
}

/// The outcome of decoding one record.
public enum DecodeResult: Sendable, Equatable {
    case ok
    /// `detail` names the field and what was found; it is built only on this (rare) path.
    case bad(reason: DeadLetterReason, detail: String)

    public var isOK: Bool { if case .ok = self { return true } else { return false } }
    public var reason: DeadLetterReason? { if case .bad(let r, _) = self { return r } else { return nil } }
}
