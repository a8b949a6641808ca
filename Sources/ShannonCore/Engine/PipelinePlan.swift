import Foundation
import ShannonStats

/// Why a valid pipeline file still cannot run (a reference file missing, a bad sample, …).
public struct PlanError: Error, CustomStringConvertible, Sendable {
    public var stage: String
    public var message: String
    public var description: String { "stage '\(stage)': \(message)" }
}

/// A pipeline made ready to run: per stage, what every partition needs to build its state —
/// reference histograms read, bins computed, decoder fields resolved, alert policies mapped.
/// Built once per pipeline; partitions are cheap to make from it.
///
/// `@unchecked Sendable`: immutable after `init` — the stage makers capture only immutable
/// contexts and value-type prototypes — so it can be handed to the worker thread that runs it.
public final class PipelinePlan: @unchecked Sendable {
    public let spec: PipelineSpec
    /// Stage id → configuration fingerprint (checkpoints refuse state from another config).
    public let fingerprints: [String: UInt64]
    private let makers: [() -> AnyStageRunner]

    public init(spec: PipelineSpec) throws {
        self.spec = spec
        var fingerprints: [String: UInt64] = [:]
        var makers: [() -> AnyStageRunner] = []
        for stage in spec.stages {
            fingerprints[stage.id] = StageFingerprint.of(stage, fields: spec.decode.fields)
            makers.append(try Self.maker(for: stage, in: spec))
        }
        self.fingerprints = fingerprints
        self.makers = makers
    }

    /// Fresh (empty) state for a partition.
    func makePartition(topic: String, partition: Int32, nextOffset: Int64) -> PartitionState {
        PartitionState(topic: topic, partition: partition, stages: makers.map { $0() }, nextOffset: nextOffset)
    }

    /// A partition's state restored from a checkpoint (fingerprints already checked by the store).
    func restorePartition(_ c: Checkpoint) throws -> PartitionState {
        let state = makePartition(topic: c.topic, partition: c.partition, nextOffset: c.nextOffset)
        let index = Dictionary(uniqueKeysWithValues: spec.stages.enumerated().map { ($1.id, $0) })
        for entry in c.entries {
            guard let i = index[entry.stageId] else {
                throw StateDecodingError.invalid("checkpoint holds unknown stage '\(entry.stageId)'")
            }
            try state.stages[i].restore(entry)
        }
        state.nextGeneration = c.generation + 1
        return state
    }

    // MARK: Building each stage

    private static func fieldIndex(_ name: String?, _ spec: PipelineSpec) -> Int {
        guard let name else { return -1 }
        return spec.decode.fields.firstIndex { $0.name == name } ?? -1
    }

    private static func maker(for stage: StageSpec, in spec: PipelineSpec) throws -> () -> AnyStageRunner {
        let input = fieldIndex(stage.input, spec)
        let keyField: Int? = if case let .field(name) = stage.keyBy { fieldIndex(name, spec) } else { nil }
        let policy = stage.alert.map(Self.policy)
        let slots = stage.window.slots
        let sliding: Int? = if case let .countSliding(size, _) = stage.window { size } else { nil }
        func context<E: StageEstimator>(second: Int, _ make: @escaping () -> E) -> StageContext<E> {
            StageContext(pipeline: spec.name, spec: stage, policy: policy, input: input, second: second,
                         keyField: keyField, makeEstimator: make)
        }
        switch stage.params {
        case let .psi(p):
            let (binning, counts) = try reference(p.reference, bins: p.bins, missingBin: p.missingBin, stage: stage, spec: spec)
            let prototype: PSIAccumulator
            do {
                prototype = try PSIAccumulator(binning: binning, referenceCounts: counts ?? Array(repeating: 0, count: binning.binCount))
            } catch { throw PlanError(stage: stage.id, message: "\(error)") }
            let settings = DriftSettings(smoothing: p.smoothing, fixedReference: p.fixedReference, confidence: p.confidence)
            let ctx = context(second: -1) {
                PSIEstimator(prototype: prototype, hasReference: counts != nil, settings: settings, slots: slots, slidingSize: sliding)
            }
            return { .psi(StageRunner(context: ctx)) }
        case let .iv(p):
            let binning: Binning
            if let edges = p.edges {
                binning = try wrap(stage) { try Binning(edges: edges) }
            } else if let r = p.reference {
                binning = try reference(r, bins: p.bins, missingBin: false, stage: stage, spec: spec).0
            } else {
                throw PlanError(stage: stage.id, message: "an iv stage needs params.edges or params.reference to fix its bins")
            }
            let settings = DriftSettings(smoothing: p.smoothing, confidence: p.confidence)
            let ctx = context(second: fieldIndex(stage.label, spec)) {
                IVEstimator(binning: binning, settings: settings, slots: slots, slidingSize: sliding)
            }
            return { .iv(StageRunner(context: ctx)) }
        case let .groupDivergence(p):
            guard let r = p.reference else {
                throw PlanError(stage: stage.id, message: "a group_divergence stage needs params.reference to fix its bins")
            }
            let binning = try reference(r, bins: p.bins, missingBin: false, stage: stage, spec: spec).0
            guard p.groups.count == 2 else { throw PlanError(stage: stage.id, message: "params.groups must name two groups") }
            let ids = (TokenHash.fnv1a64(p.groups[0]), TokenHash.fnv1a64(p.groups[1]))
            let settings = DriftSettings(smoothing: p.smoothing, confidence: p.confidence)
            let ctx = context(second: fieldIndex(stage.group, spec)) {
                GroupDivergenceEstimator(binning: binning, groupIDs: ids, settings: settings, slots: slots, slidingSize: sliding)
            }
            return { .groupDivergence(StageRunner(context: ctx)) }
        case let .entropy(p):
            let ctx = context(second: fieldIndex(p.logprobs, spec)) {
                EntropyEstimator(params: p, slots: slots, slidingRecords: sliding)
            }
            return { .entropy(StageRunner(context: ctx)) }
        case let .jsDivergence(p):
            var reference: TokenCounter?
            switch p.reference {
            case .firstWindow: reference = nil
            case let .file(path, resolved, field):
                let texts = try readTextColumn(resolved, field: field, stage: stage, written: path)
                reference = tokenCounter(texts, field: spec.decode.fields[input], maxDistinct: p.maxDistinct)
            default:
                throw PlanError(stage: stage.id, message: "a js_divergence reference is `{ first_window: true }` or `{ file, field }` of token text")
            }
            let ctx = context(second: -1) { [reference] in
                JSDivergenceEstimator(maxDistinct: p.maxDistinct, reference: reference, slots: slots, slidingRecords: sliding)
            }
            return { .jsDivergence(StageRunner(context: ctx)) }
        case let .boundary(p):
            guard let dim = spec.decode.fields[input].dim else {
                throw PlanError(stage: stage.id, message: "the input of a boundary stage must be a vector with a dim")
            }
            let parameters = Self.boundaryParameters(p)
            if let problem = parameters.problem { throw PlanError(stage: stage.id, message: problem) }
            let ctx = context(second: -1) { BoundaryEstimator(dimension: dim, parameters: parameters) }
            return { .boundary(StageRunner(context: ctx)) }
        }
    }

    static func boundaryParameters(_ p: BoundaryParams) -> BoundaryParameters {
        let anticipator: Anticipator = switch p.anticipator {
        case .last: .last
        case .mean: .mean(length: p.lookback)
        case .ewma: .ewma(alpha: p.alpha)
        case .linear: .linear(length: p.lookback)
        }
        let error: PredictionErrorKind = p.error == .cosine ? .cosine : .standardisedAbsolute
        let test: BoundaryTest = p.test == .gaussian ? .gaussian(tau: p.tau) : .studentT(alpha: p.testAlpha)
        return BoundaryParameters(anticipator: anticipator, error: error, test: test, nMin: p.nMin, kMax: p.kMax,
                                  sigmaFloor: p.sigmaFloor, refractoryGap: p.refractory)
    }

    static func policy(_ a: AlertSpec) -> AlertPolicy {
        AlertPolicy(rule: AlertPolicy.Rule(rawValue: a.when.rawValue)!, metric: a.metric,
                    direction: AlertPolicy.Direction(rawValue: a.direction.rawValue)!, threshold: a.threshold,
                    pValue: a.pValue, z: a.z, baselineAlpha: a.baseline.alpha, baselineMinWindows: a.baseline.minWindows,
                    severity: a.severity.filter { $0.at.isFinite }.map { .init(level: $0.level, at: $0.at) },
                    cooldown: a.cooldown, resolve: a.resolve, forWindows: a.forWindows, keepFiringFor: a.keepFiringFor,
                    labels: a.labels)
    }

    private static func wrap<T>(_ stage: StageSpec, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw PlanError(stage: stage.id, message: "\(error)") }
    }

    /// Bins and (when known) reference counts from a `reference:` block.
    private static func reference(_ r: ReferenceSpec, bins: Int, missingBin: Bool, stage: StageSpec,
                                  spec: PipelineSpec) throws -> (Binning, [Double]?) {
        switch r {
        case let .file(path, resolved, field):
            let sample = try readColumn(resolved, field: field, stage: stage, written: path)
            let binning = try wrap(stage) { try Binning(quantilesOf: sample, bins: bins, missingBin: missingBin) }
            let acc = PSIAccumulator(binning: binning, referenceSample: sample)
            return (binning, acc.referenceCounts)
        case let .edges(edges):
            return (try wrap(stage) { try Binning(edges: edges, missingBin: missingBin) }, nil)
        case let .histogram(edges, counts):
            let binning = try wrap(stage) { try Binning(edges: edges, missingBin: missingBin) }
            var c = counts
            if missingBin { c.append(0) }
            return (binning, c)
        case .firstWindow:
            throw PlanError(stage: stage.id, message: "first_window is a reference for token stages only")
        }
    }

    /// One numeric column of a CSV file with a header row (the reference sample).
    static func readColumn(_ path: String, field: String, stage: StageSpec, written: String) throws -> [Double] {
        let cells = try readTextColumn(path, field: field, stage: stage, written: written)
        return try cells.enumerated().map { i, cell in
            guard let v = Double(cell.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                throw PlanError(stage: stage.id, message: "\(written):\(i + 2): column '\(field)' is not a finite number")
            }
            return v
        }
    }

    /// One column of a CSV file with a header row (RFC 4180 quoting: text may hold commas,
    /// quotes and line breaks). Read once at start-up, so Foundation is fine here.
    static func readTextColumn(_ path: String, field: String, stage: StageSpec, written: String) throws -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw PlanError(stage: stage.id, message: "cannot read the reference file '\(written)' (looked at \(path))")
        }
        var rows = CSVRows(text)
        guard let header = rows.next() else { throw PlanError(stage: stage.id, message: "reference file '\(written)' is empty") }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\u{FEFF}")) }
        guard let column = names.firstIndex(of: field) else {
            throw PlanError(stage: stage.id, message: "reference file '\(written)' has no column '\(field)' (columns: \(names.joined(separator: ", ")))")
        }
        var values: [String] = []
        while let row = rows.next() {
            if row.count == 1 && row[0].isEmpty { continue } // blank line
            guard column < row.count else {
                throw PlanError(stage: stage.id, message: "\(written):\(values.count + 2): row has no column '\(field)'")
            }
            values.append(row[column])
        }
        guard !values.isEmpty else { throw PlanError(stage: stage.id, message: "reference file '\(written)' has no rows") }
        return values
    }

    /// Token counts of reference texts, tokenised exactly as the decoder tokenises the field.
    static func tokenCounter(_ texts: [String], field: FieldSpec, maxDistinct: Int) -> TokenCounter {
        var counter = TokenCounter(maxDistinct: maxDistinct, initialCapacity: 1024)
        for text in texts {
            if field.type == .category {
                _ = counter.add(TokenHash.fnv1a64(text))
            } else {
                for id in TokenScanner.ids(text, field.tokenizer) { _ = counter.add(id) }
            }
        }
        return counter
    }
}

/// Rows of RFC 4180 CSV: fields split on commas, quoted fields may hold commas, doubled quotes
/// and line breaks.
struct CSVRows: IteratorProtocol {
    private let scalars: [Unicode.Scalar]
    private var i = 0

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    mutating func next() -> [String]? {
        guard i < scalars.count else { return nil }
        var row: [String] = []
        var field = String.UnicodeScalarView()
        var quoted = false
        while i < scalars.count {
            let c = scalars[i]
            i += 1
            if quoted {
                if c == "\"" {
                    if i < scalars.count && scalars[i] == "\"" { field.append("\""); i += 1 } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(String(field))
                field = String.UnicodeScalarView()
            } else if c == "\n" || c == "\r" {
                if c == "\r" && i < scalars.count && scalars[i] == "\n" { i += 1 }
                break
            } else {
                field.append(c)
            }
        }
        row.append(String(field))
        return row
    }
}
