/// A parsed (or to-be-written) JSON value that keeps member order and tells integers from doubles.
///
/// Used for the stage-specific `detail` of an alert and when reading alerts back. Not for the
/// hot path: stages build one per reported window at most.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits Int64.
    case int(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The member named `name` of an object (first match), else nil.
    public subscript(name: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        return members.first { $0.name == name }?.value
    }

    /// A number as Double (int or number), else nil.
    public var doubleValue: Double? {
        switch self {
        case let .int(i): Double(i)
        case let .number(d): d
        default: nil
        }
    }

    /// An integer (or a number with an exact integer value), else nil.
    public var int64Value: Int64? {
        switch self {
        case let .int(i): i
        case let .number(d): Int64(exactly: d)
        default: nil
        }
    }

    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// Compact JSON text of this value.
    public var jsonText: String {
        var w = JSONWriter()
        w.value(self)
        return w.string
    }
}

/// One `"name": value` of a JSON object.
public struct JSONMember: Equatable, Sendable {
    public var name: String
    public var value: JSONValue

    public init(_ name: String, _ value: JSONValue) {
        self.name = name
        self.value = value
    }
}
