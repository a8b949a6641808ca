/// A batch of decoded records as columns (struct of arrays), for stages that prefer to run a
/// tight loop over one field of many records. Rows are the good records only; bad records are
/// listed in `rejects` with their index in the input batch.
///
/// Arrays keep their capacity across `removeAll()`, so a batch reused poll after poll stops
/// allocating once it has seen its largest batch.
public struct DecodedBatch {
    /// One declared field's values, row-aligned.
    public struct Column {
        public let field: FieldSpec
        /// False where an optional field was missing or null (its values are then NaN / empty).
        public internal(set) var present: [Bool] = []
        /// `number`: the value; `label`: 1 when bad, else 0. One per row.
        public internal(set) var scalars: [Double] = []
        /// `category`: FNV-1a 64 id, one per row.
        public internal(set) var ids: [UInt64] = []
        /// `vector`: `dim` floats per row, row-major.
        public internal(set) var floats: [Float] = []
        /// `tokens`: ids of all rows, concatenated (row r is `elements(r)`).
        public internal(set) var tokens: [UInt64] = []
        /// `numbers`: values of all rows, concatenated.
        public internal(set) var doubles: [Double] = []
        /// `category`: UTF-8 text of all rows, concatenated.
        public internal(set) var text: [UInt8] = []
        /// `tokens` / `numbers` / `category` text: row r spans `offsets[r]..<offsets[r + 1]`.
        public internal(set) var offsets: [Int] = [0]

        init(field: FieldSpec) { self.field = field }

        /// The element range of row `r` in `tokens`, `doubles` or `text`.
        public func elements(_ r: Int) -> Range<Int> { offsets[r]..<offsets[r + 1] }

        /// `vector`: the floats of row `r`.
        public func vector(_ r: Int) -> ArraySlice<Float> {
            let dim = field.dim ?? 0
            return floats[(r * dim)..<((r + 1) * dim)]
        }

        /// `category`: the text of row `r` (allocates).
        public func categoryText(_ r: Int) -> String { String(decoding: text[elements(r)], as: UTF8.self) }

        mutating func removeAll() {
            present.removeAll(keepingCapacity: true)
            scalars.removeAll(keepingCapacity: true)
            ids.removeAll(keepingCapacity: true)
            floats.removeAll(keepingCapacity: true)
            tokens.removeAll(keepingCapacity: true)
            doubles.removeAll(keepingCapacity: true)
            text.removeAll(keepingCapacity: true)
            offsets.removeAll(keepingCapacity: true)
            offsets.append(0)
        }
    }

    public struct Reject: Equatable, Sendable {
        /// Index of the record in the input batch.
        public var index: Int
        public var reason: DeadLetterReason
        public var detail: String
    }

    /// In `DecodeSpec.fields` order.
    public internal(set) var columns: [Column]
    /// For each row, the index of its record in the input batch.
    public internal(set) var recordIndex: [Int] = []
    /// `decode.key` ids per row (empty when no key path is declared).
    public internal(set) var keyIDs: [UInt64] = []
    /// `decode.event_time` per row, epoch ms (empty when not declared).
    public internal(set) var eventTimesMs: [Int64] = []
    public internal(set) var rejects: [Reject] = []

    public init(spec: DecodeSpec) {
        columns = spec.fields.map(Column.init)
    }

    /// Good records in the batch.
    public var count: Int { recordIndex.count }

    public mutating func removeAll() {
        for i in columns.indices { columns[i].removeAll() }
        recordIndex.removeAll(keepingCapacity: true)
        keyIDs.removeAll(keepingCapacity: true)
        eventTimesMs.removeAll(keepingCapacity: true)
        rejects.removeAll(keepingCapacity: true)
    }
}

extension RecordDecoder {
    /// Decodes `count` records (`record(i)` gives the value bytes of the i-th) into `batch`,
    /// which is cleared first. Counters are updated as by `decode(_:)`.
    public func decodeBatch(count: Int, into batch: inout DecodedBatch,
                            record: (Int) -> UnsafeRawBufferPointer) {
        batch.removeAll()
        for i in 0..<count {
            switch decode(record(i)) {
            case .bad(let reason, let detail):
                batch.rejects.append(DecodedBatch.Reject(index: i, reason: reason, detail: detail))
            case .ok:
                append(row: i, to: &batch)
            }
        }
    }

    private func append(row: Int, to batch: inout DecodedBatch) {
        batch.recordIndex.append(row)
        if spec.keyPath != nil { batch.keyIDs.append(keyID ?? 0) }
        if spec.eventTimePath != nil { batch.eventTimesMs.append(eventTimeMs ?? .min) }
        for f in batch.columns.indices {
            let present = isPresent(f)
            batch.columns[f].present.append(present)
            switch batch.columns[f].field.type {
            case .number: batch.columns[f].scalars.append(number(f))
            case .label: batch.columns[f].scalars.append(present ? (isBad(f) ? 1 : 0) : .nan)
            case .category:
                batch.columns[f].ids.append(present ? categoryID(f) : 0)
                if present { batch.columns[f].text.append(contentsOf: categoryBytes(f)) }
                batch.columns[f].offsets.append(batch.columns[f].text.count)
            case .vector:
                if present {
                    batch.columns[f].floats.append(contentsOf: vector(f))
                } else {
                    batch.columns[f].floats.append(contentsOf: repeatElement(.nan, count: spec.fields[f].dim ?? 0))
                }
            case .tokens:
                if present { batch.columns[f].tokens.append(contentsOf: tokens(f)) }
                batch.columns[f].offsets.append(batch.columns[f].tokens.count)
            case .numbers:
                if present { batch.columns[f].doubles.append(contentsOf: numbers(f)) }
                batch.columns[f].offsets.append(batch.columns[f].doubles.count)
            }
        }
    }
}
