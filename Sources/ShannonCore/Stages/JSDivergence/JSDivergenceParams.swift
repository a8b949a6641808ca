import ShannonStats

/// `params:` of a `js_divergence` stage: token drift of each window against a reference, in bits
/// (docs/statistics-entropy-boundaries.md §1).
public struct JSDivergenceParams: Sendable, Equatable {
    public var reference: ReferenceSpec = .firstWindow
    public var unit: EntropyUnit = .bits
    public var maxDistinct: Int = 10_000
}

extension JSDivergenceParams: StageKind {
    static let paramKeys = ["reference", "unit", "max_distinct"]
    static let headlineMetric = "js"
    static let metrics = ["js"]
    static let inputTypes: [FieldType] = [.tokens, .category]
    static let hasPValue = false
    /// 0.1 bits.
    static let defaultThreshold: Double? = 0.1

    static func parse(_ r: ParamsReader) -> StageParams? {
        var p = JSDivergenceParams()
        p.reference = r.reference(allowFirstWindow: true) ?? p.reference
        p.unit = r.choice("unit", EntropyUnit.self) ?? p.unit
        p.maxDistinct = r.int("max_distinct", min: 2) ?? p.maxDistinct
        return .jsDivergence(p)
    }

    var fingerprint: String {
        "js_divergence(reference=\(FingerprintText.render(reference)),unit=\(unit.rawValue),max_distinct=\(maxDistinct))"
    }

    func runnerMaker(_ b: StageBuild) throws -> () -> AnyStageRunner {
        let counter: TokenCounter?
        switch reference {
        case .firstWindow: counter = nil
        case let .file(path, resolved, field):
            let texts = try b.readTextColumn(resolved, field: field, written: path).map(\.text)
            counter = tokenCounter(texts, field: b.spec.decode.fields[b.input], maxDistinct: maxDistinct)
        default:
            throw b.failure("a js_divergence reference is `{ first_window: true }` or `{ file, field }` of token text")
        }
        let maxDistinct = maxDistinct
        let ctx = b.context { [counter] in
            JSDivergenceEstimator(maxDistinct: maxDistinct, reference: counter, slots: b.slots, slidingRecords: b.sliding)
        }
        return { .jsDivergence(StageRunner(context: ctx)) }
    }
}
