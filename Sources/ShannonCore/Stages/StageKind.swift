import Yams

/// What one stage kind tells the rest of the house: the `params:` it reads from YAML, the text
/// its fingerprint hashes, the metrics alerts may name, and how a plan builds its estimator.
///
/// Each kind's params type conforms (PSIParams, IVParams, …), and everything about the kind
/// lives in its folder under Stages/. The registry (Stages/StageKinds.swift) maps the `type:`
/// word to the conforming type; nothing else in the house switches on a kind. A protocol because
/// six kinds implement it; it is only called when a pipeline is loaded and planned, never per
/// record.
protocol StageKind: Sendable {
    /// Keys allowed in `params:`.
    static var paramKeys: [String] { get }
    /// The figure alerts read unless `alert.metric` says otherwise.
    static var headlineMetric: String { get }
    /// Metrics an alert may name.
    static var metrics: [String] { get }
    /// Field types accepted as the stage's `input`.
    static var inputTypes: [FieldType] { get }
    /// A second field the stage reads (`label` for iv, `group` for group_divergence).
    static var secondField: SecondField? { get }
    /// Whether the stage computes a p-value (alerts `when: significance` need one).
    static var hasPValue: Bool { get }
    /// The alert threshold when the file gives none (when the params failed to parse too).
    static var defaultThreshold: Double? { get }

    /// The typed params, with defaults; errors go to the reader. Nil when unusable.
    static func parse(_ p: ParamsReader) -> StageParams?

    /// The alert threshold when the file gives none, knowing the params.
    var defaultThreshold: Double? { get }
    /// The params as fingerprint text: every value, so a change gives another fingerprint.
    var fingerprint: String { get }
    /// Builds what every partition needs (reference read, bins fixed) and returns the maker
    /// of fresh per-partition runners.
    func runnerMaker(_ b: StageBuild) throws -> () -> AnyStageRunner
}

extension StageKind {
    static var secondField: SecondField? { nil }
    var defaultThreshold: Double? { Self.defaultThreshold }
}

/// A second field a stage reads, beside its `input`.
struct SecondField: Sendable {
    /// The stage key naming it (`label`, `group`).
    var key: String
    var types: [FieldType]
}

/// One stage's `params:` block while it is parsed: its entries, and the shared checks every kind
/// uses (bins, smoothing, confidence, edges, references, field references) with
/// file:line:column errors and hints.
struct ParamsReader {
    let builder: SpecBuilder
    let keys: [String: NodeReader.Entry]
    /// The `params:` node (nil when the stage has none) and the stage's own node.
    let node: Node?
    let stageNode: Node
    let fields: [FieldSpec]
    /// False when the decode block failed: field references are then not checked.
    let decodeKnown: Bool

    var reader: NodeReader { builder.reader }

    /// The value of `key`, if written.
    func value(_ key: String) -> Node? { keys[key]?.value }

    /// An error about the block as a whole (a required key missing).
    func error(_ message: String, hint: String? = nil) {
        reader.error(node?.mark ?? stageNode.mark, message, hint: hint)
    }

    func bins() -> Int? {
        guard let n = value("bins"), let b = reader.int(n, "bins") else { return nil }
        if b < 2 { reader.error(n.mark, "`bins` must be ≥ 2, found \(b)"); return nil }
        return b
    }

    func smoothing() -> Double? { value("smoothing").flatMap { reader.double($0, "smoothing", min: 0) } }

    func confidence() -> Double? {
        value("confidence").flatMap { reader.double($0, "confidence", min: 0, max: 0.999999, exclusiveMin: true) }
    }

    func bool(_ key: String) -> Bool? { value(key).flatMap { reader.bool($0, key) } }

    func int(_ key: String, min: Int) -> Int? { value(key).flatMap { reader.int($0, key, min: min) } }

    func double(_ key: String, min: Double, max: Double? = nil, exclusiveMin: Bool = false) -> Double? {
        value(key).flatMap { reader.double($0, key, min: min, max: max, exclusiveMin: exclusiveMin) }
    }

    func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) -> E? where E.RawValue == String {
        value(key).flatMap { reader.choice($0, key, type) }
    }

    func edges(_ key: String) -> [Double]? { value(key).flatMap { builder.edges($0, key) } }

    func reference(allowFirstWindow: Bool) -> ReferenceSpec? {
        value("reference").flatMap { builder.reference($0, allowFirstWindow: allowFirstWindow) }
    }

    /// A reference to a declared field of one of `types`.
    func fieldRef(_ key: String, types: [FieldType]) -> String? {
        value(key).flatMap { builder.fieldRef($0, key, fields: fields, types: types, decodeKnown: decodeKnown) }
    }

    /// `bins` written next to explicit edges must agree with them (B = edges + 1).
    func checkBins(_ bins: Int?, edges: [Double]?) {
        guard let bins, let node = value("bins"), let edges, bins != edges.count + 1 else { return }
        reader.error(node.mark, "`bins` (\(bins)) disagrees with the \(edges.count) edges given (\(edges.count + 1) bins)",
                     hint: "remove `bins`, or give \(bins - 1) edges")
    }
}
