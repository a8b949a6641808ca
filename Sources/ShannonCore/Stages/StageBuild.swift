import Foundation
import ShannonStats

/// What a stage kind needs to build its per-partition state from a valid spec: the decoder's
/// field indices, the window's slot count, reference files read once. Made by `PipelinePlan`
/// for each stage; its errors are `PlanError`s naming the stage.
struct StageBuild {
    let stage: StageSpec
    let spec: PipelineSpec
    /// Decoder index of the stage's `input` field.
    let input: Int
    /// Estimator slots per key (one per window that may be open at once).
    let slots: Int
    /// The size of a count-sliding window (its estimators keep a ring of what to evict).
    let sliding: Int?
    private let keyField: Int?
    private let policy: AlertPolicy?

    init(stage: StageSpec, spec: PipelineSpec, policy: AlertPolicy?) {
        self.stage = stage
        self.spec = spec
        self.policy = policy
        input = Self.fieldIndex(stage.input, spec)
        keyField = if case let .field(name) = stage.keyBy { Self.fieldIndex(name, spec) } else { nil }
        slots = stage.window.slots
        sliding = if case let .countSliding(size, _) = stage.window { size } else { nil }
    }

    /// Decoder index of a declared field (-1 for none).
    func fieldIndex(_ name: String?) -> Int { Self.fieldIndex(name, spec) }

    private static func fieldIndex(_ name: String?, _ spec: PipelineSpec) -> Int {
        guard let name else { return -1 }
        return spec.decode.fields.firstIndex { $0.name == name } ?? -1
    }

    /// The stage's shared context; `second` is the decoder index of a second field it reads.
    func context<E: StageEstimator>(second: Int = -1, _ make: @escaping () -> E) -> StageContext<E> {
        StageContext(pipeline: spec.name, spec: stage, policy: policy, input: input, second: second,
                     keyField: keyField, makeEstimator: make)
    }

    func failure(_ message: String) -> PlanError { PlanError(stage: stage.id, message: message) }

    /// Runs `body`, turning its error into this stage's `PlanError`.
    func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw failure("\(error)") }
    }

    /// Bins and (when known) reference counts from a `reference:` block.
    func reference(_ r: ReferenceSpec, bins: Int, missingBin: Bool) throws -> (Binning, [Double]?) {
        switch r {
        case let .file(path, resolved, field):
            let sample = try readColumn(resolved, field: field, written: path)
            let binning = try wrap { try Binning(quantilesOf: sample, bins: bins, missingBin: missingBin) }
            return (binning, PSIAccumulator(binning: binning, referenceSample: sample).referenceCounts)
        case let .edges(edges):
            return (try wrap { try Binning(edges: edges, missingBin: missingBin) }, nil)
        case let .histogram(edges, counts):
            let binning = try wrap { try Binning(edges: edges, missingBin: missingBin) }
            return (binning, missingBin ? counts + [0] : counts)
        case .firstWindow:
            throw failure("first_window is a reference for token stages only")
        }
    }

    /// One numeric column of a CSV file with a header row (the reference sample).
    func readColumn(_ path: String, field: String, written: String) throws -> [Double] {
        try readTextColumn(path, field: field, written: written).map { line, cell in
            guard let v = Double(cell.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                throw failure("\(written):\(line): column '\(field)' is not a finite number")
            }
            return v
        }
    }

    /// One column of a CSV file with a header row, with each cell's line. Read once at start-up,
    /// so Foundation is fine here.
    func readTextColumn(_ path: String, field: String, written: String) throws -> [(line: Int, text: String)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw failure("cannot read the reference file '\(written)' (looked at \(path))")
        }
        var rows = CSVReader([UInt8](data))
        guard let header = rows.next() else { throw failure("reference file '\(written)' is empty") }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let column = names.firstIndex(of: field) else {
            throw failure("reference file '\(written)' has no column '\(field)' (columns: \(names.joined(separator: ", ")))")
        }
        var values: [(line: Int, text: String)] = []
        while let row = rows.next() {
            guard column < row.count else { throw failure("\(written):\(rows.line): row has no column '\(field)'") }
            values.append((rows.line, row[column]))
        }
        guard !values.isEmpty else { throw failure("reference file '\(written)' has no rows") }
        return values
    }
}
