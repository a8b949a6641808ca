import Foundation
import Testing

/// `shannon test` as `make test` and CI run it: the example pipelines' test files pass; a
/// wrong expectation exits 1 with a diff; a broken test file exits 2 at its line and column.
@Suite struct TestCommandTests {
    static var exampleTestFiles: [String] {
        let dir = CommandLineTests.root.appendingPathComponent("pipelines").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasSuffix(".test.yaml") }.sorted().map { "pipelines/" + $0 }
    }

    @Test func everyExamplePipelineTestPasses() throws {
        let files = Self.exampleTestFiles
        #expect(files.count == 3)
        let r = try CommandLineTests.shannon(["test"] + files)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("8 tests in 3 files: 8 passed, 0 failed"), "\(r.stdout)")
        #expect(!r.stdout.contains("FAIL"))
    }

    @Test func aWrongExpectationExitsOneWithADiff() throws {
        let root = CommandLineTests.root.path
        let path = try CommandLineTests.temp("wrong.test.yaml", """
        pipeline: \(root)/pipelines/video-boundaries.yaml
        tests:
          - name: cam-1 has a cut at frame 100
            inputs:
              - generate: { stream: video-features, frames_per_camera: 300 }
            expect:
              alerts:
                - { stage: scene-cuts, key: cam-1, window: { start_offset: 300 } }
        """)
        let r = try CommandLineTests.shannon(["test", path])
        #expect(r.status == 1, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("FAIL \(path): cam-1 has a cut at frame 100"), "\(r.stdout)")
        #expect(r.stdout.contains("\(path):8:11"), "\(r.stdout)")
        #expect(r.stdout.contains("expected: at least 1 alert matching stage=scene-cuts key=cam-1 window.start_offset 300"), "\(r.stdout)")
        // The diff lists what the stage did produce: cam-1's true cuts at frames 176 and 264.
        #expect(r.stdout.contains("firing key=cam-1") && r.stdout.contains("window=528..528"), "\(r.stdout)")
        #expect(r.stdout.contains("1 test in 1 file: 0 passed, 1 failed"), "\(r.stdout)")
    }

    @Test func aBrokenTestFileExitsTwo() throws {
        let path = try CommandLineTests.temp("broken.test.yaml", """
        pipeline: nowhere.yaml
        tests:
          - name: t
            inputs: []
            expect: {}
        """)
        let r = try CommandLineTests.shannon(["test", path])
        #expect(r.status == 2, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stderr.contains("\(path):1:11: error: pipeline file `nowhere.yaml` not found"), "\(r.stderr)")
        #expect(r.stderr.contains("\(path):4:13: error: `inputs` must list at least one input"), "\(r.stderr)")
    }
}
