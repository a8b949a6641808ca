import ShannonStats

/// A stage's configuration fingerprint: FNV-1a 64 of a canonical rendering of everything that
/// shapes its state — type, input (and the decode spec of every field it reads), key_by, window and
/// params — but not its alert rules, which may be retuned without throwing state away.
/// Checkpoints store it and refuse state written under another fingerprint.
///
/// The rendering is explicit text (not `hashValue`, which is seeded per process) so the value is
/// stable across runs, builds and machines. A reference file enters by its path as written, not
/// its content.
public enum StageFingerprint {
    public static func of(_ stage: StageSpec, fields: [FieldSpec]) -> UInt64 {
        TokenHash.fnv1a64(canonical(stage, fields: fields))
    }

    /// The text that is hashed (exposed for debugging a mismatch).
    public static func canonical(_ stage: StageSpec, fields: [FieldSpec]) -> String {
        var out = "v1|type=\(stage.type.rawValue)"
        func field(_ role: String, _ name: String?) {
            guard let name else { return }
            out += "|\(role)=\(name)"
            if let f = fields.first(where: { $0.name == name }) { out += "{\(render(f))}" }
        }
        field("input", stage.input)
        field("label", stage.label)
        field("group", stage.group)
        switch stage.keyBy {
        case .partition: out += "|key_by=*"
        case .recordKey: out += "|key_by=record_key"
        case .field(let name): field("key_by", name)
        }
        switch stage.window {
        case .countTumbling(let size): out += "|window=count(\(size))"
        case .countSliding(let size, let hop): out += "|window=count(\(size),\(hop))"
        case .eventTimeTumbling(let size, let late): out += "|window=time(\(size)ms,\(late)ms)"
        }
        out += "|params=" + stage.params.kind.fingerprint
        return out
    }

    private static func render(_ f: FieldSpec) -> String {
        var s = "path=\(f.path),type=\(f.type.rawValue),optional=\(f.optional)"
        switch f.type {
        case .vector: s += ",dim=\(f.dim ?? 0)"
        case .tokens: s += ",tokenizer=\(f.tokenizer.rawValue)"
        case .label:
            s += ",bad=[\(f.badValues.map(\.description).joined(separator: ","))]"
            if let g = f.goodValues { s += ",good=[\(g.map(\.description).joined(separator: ","))]" }
        case .number, .category, .numbers: break
        }
        return s
    }
}

/// How values are written in fingerprint text, shared by every kind's `fingerprint`.
enum FingerprintText {
    static func render(_ d: Double) -> String { String(d) }
    static func render(_ ds: [Double]) -> String { "[" + ds.map(render).joined(separator: ",") + "]" }

    static func render(_ r: ReferenceSpec?) -> String {
        switch r {
        case nil: return "none"
        case .file(let path, _, let field)?: return "file(\(path),\(field))"
        case .edges(let e)?: return "edges\(render(e))"
        case .histogram(let e, let c)?: return "histogram(\(render(e)),\(render(c)))"
        case .firstWindow?: return "first_window"
        }
    }
}

extension PipelineSpec {
    /// The configuration fingerprint of `stage` within this pipeline.
    public func fingerprint(of stage: StageSpec) -> UInt64 {
        StageFingerprint.of(stage, fields: decode.fields)
    }
}
