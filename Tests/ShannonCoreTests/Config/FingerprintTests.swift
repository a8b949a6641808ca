import Testing
import ShannonStats
@testable import ShannonCore

@Suite("Stage fingerprints")
struct FingerprintTests {
    static func spec(window: String = "{ type: count, size: 5000 }", smoothing: Double = 0.5,
                     alert: String = "{ when: threshold, threshold: 0.25 }", path: String = "score") throws -> PipelineSpec {
        try PipelineLoader.parse(yaml: """
            version: 1
            name: fp
            source: { topics: [t] }
            decode: { fields: { score: { path: \(path), type: number } } }
            stages:
              - id: s
                type: psi
                input: score
                window: \(window)
                params: { reference: { edges: [0.1, 0.5] }, smoothing: \(smoothing) }
                alert: \(alert)
            """)
    }

    static func fingerprint(_ spec: PipelineSpec) -> UInt64 { spec.fingerprint(of: spec.stages[0]) }

    @Test func sameConfigSameFingerprint() throws {
        #expect(Self.fingerprint(try Self.spec()) == Self.fingerprint(try Self.spec()))
    }

    @Test func fingerprintIsStableAcrossBuilds() throws {
        // FNV-1a 64 of a fixed text: pins the hash itself (reference value of the published
        // FNV test vector "a" → af63dc4c8601ec8c).
        #expect(TokenHash.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(StageFingerprint.canonical(try Self.spec().stages[0], fields: try Self.spec().decode.fields)
            == "v1|type=psi|input=score{path=score,type=number,optional=false}|key_by=*|window=count(5000)"
            + "|params=psi(reference=edges[0.1,0.5],bins=3,smoothing=0.5,fixed_reference=false,"
            + "missing_bin=false,confidence=0.95)")
    }

    @Test func paramOrWindowOrFieldChangeChangesIt() throws {
        let base = Self.fingerprint(try Self.spec())
        #expect(Self.fingerprint(try Self.spec(smoothing: 0.25)) != base)
        #expect(Self.fingerprint(try Self.spec(window: "{ type: count, size: 5000, hop: 100 }")) != base)
        #expect(Self.fingerprint(try Self.spec(path: "applicant.score")) != base)
    }

    @Test func alertChangeKeepsIt() throws {
        let base = Self.fingerprint(try Self.spec())
        #expect(Self.fingerprint(try Self.spec(alert: "{ when: both, threshold: 0.1, p_value: 0.05 }")) == base)
    }
}
