import Testing
import ShannonStats
@testable import ShannonCore

@Suite struct CheckpointSummaryTests {
    @Test func summarisesEntriesPerStage() throws {
        var window = CountTumblingWindow(size: 10)
        _ = window.add(offset: 1)
        let rule = AlertRuleState()
        let entries = [
            CheckpointEntry(stageId: "psi", key: "a", state: window.encodedState()),
            CheckpointEntry(stageId: "psi", key: "a", state: rule.encodedState()),
            CheckpointEntry(stageId: "psi", key: "b", state: window.encodedState()),
            CheckpointEntry(stageId: "entropy", key: "*", state: [1, 2, 3]),
        ]
        let c = Checkpoint(pipeline: "p", topic: "t", partition: 3, nextOffset: 77, generation: 9, createdAtMs: 5,
                           fingerprints: ["psi": 0xABC, "entropy": 1, "idle": 2], entries: entries)
        let bytes = try CheckpointFile.encode(c)
        let s = CheckpointSummary(header: try CheckpointFile.decodeHeader(bytes), checkpoint: try CheckpointFile.decode(bytes))
        #expect(s.stages.map(\.id) == ["entropy", "idle", "psi"])
        let psi = s.stages[2]
        #expect(psi.entries == 3 && psi.keys == 2)
        #expect(psi.stateBytes == 2 * window.encodedState().count + rule.encodedState().count)
        #expect(psi.tags.map(\.tag) == ["ALRT", "WCNT"] && psi.tags.map(\.count) == [1, 2])
        #expect(s.stages[0].tags.map(\.tag) == ["?"])
        #expect(s.stages[1].entries == 0 && s.stages[1].fingerprint == 2)
        var w = JSONWriter()
        s.write(to: &w, path: "/x")
        let json = try JSONParser.parse(w.bytes)
        #expect(json["generation"] == .string("9"))
        #expect(json["next_offset"] == .int(77))
        #expect(json["stages"] == .array(s.stages.map { st in
            .object([JSONMember("id", .string(st.id)), JSONMember("fingerprint", st.fingerprint.map { .string(CheckpointSummary.hexFingerprint($0)) } ?? .null),
                     JSONMember("entries", .int(Int64(st.entries))), JSONMember("keys", .int(Int64(st.keys))),
                     JSONMember("state_bytes", .int(Int64(st.stateBytes))),
                     JSONMember("tags", .object(st.tags.map { JSONMember($0.tag, .int(Int64($0.count))) }))])
        }))
        #expect(CheckpointSummary.hexFingerprint(0xABC) == "0000000000000abc")
    }
}
