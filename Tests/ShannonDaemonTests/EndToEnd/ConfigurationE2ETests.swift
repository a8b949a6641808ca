import Foundation
import Testing
@testable import ShannonCore
@testable import ShannonDaemon

extension EndToEndTests {
    /// The example file copied away from its `data/` directory: the reference sample it names is
    /// gone. Loading must refuse it with the file, line and where it looked (three stages use
    /// the sample: three errors); and a file that disappears after a successful load (validated,
    /// then deleted before the daemon starts) must stop `PipelinePlan`, naming stage and file —
    /// never start and compute PSI against nothing.
    @Test("a pipeline whose reference CSV is missing fails at load, or at plan if it vanished since, with a clear message")
    func missingReferenceFile() throws {
        let dir = E2E.tempDirectory("config")
        defer { E2E.remove(dir) }
        let copy = dir + "/credit-psi.yaml"
        try FileManager.default.copyItem(atPath: E2E.pipelineFile("credit-psi.yaml"), toPath: copy)
        let environment = ["KAFKA_BOOTSTRAP": "127.0.0.1:1"]
        do {
            _ = try PipelineLoader.load(path: copy, environment: environment)
            Issue.record("a pipeline without its reference file loaded")
        } catch {
            #expect(error.errors.count == 3, "\(error)")
            for e in error.errors {
                #expect(e.file == copy)
                #expect("\(e)".contains("data/credit-reference.csv") && "\(e)".contains("not found"), "\(e)")
                #expect("\(e)".contains(dir + "/data/credit-reference.csv"), "says where it looked: \(e)")
            }
        }

        // With the file in place it loads; removed before the plan is built, the plan refuses.
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: E2E.root.appendingPathComponent("pipelines/data/credit-reference.csv").path,
                                         toPath: dir + "/data/credit-reference.csv")
        let spec = try PipelineLoader.load(path: copy, environment: environment)
        #expect(try PipelinePlan(spec: spec).fingerprints.count == 3)
        try FileManager.default.removeItem(atPath: dir + "/data/credit-reference.csv")
        do {
            _ = try PipelinePlan(spec: spec)
            Issue.record("a plan was built without its reference file")
        } catch let error as PlanError {
            #expect(error.stage == "score-psi", "the first stage that needs it")
            #expect("\(error)".contains("cannot read the reference file 'data/credit-reference.csv'"), "\(error)")
        }
    }
}
