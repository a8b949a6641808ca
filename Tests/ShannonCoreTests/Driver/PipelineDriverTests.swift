import Foundation
import Testing
import ShannonStats
import ShannonTestSupport
@testable import ShannonCore

/// The in-process driver runs the engine the daemon runs; these tests hold it to figures
/// computed without it (ShannonStats directly) and to the daemon's restart contract.
@Suite struct PipelineDriverTests {
    static let creditFile = RepoPaths.pipelines.appendingPathComponent("credit-psi.yaml").path

    /// Whether the credit pipeline's decoder accepts a record, judged independently of it: the
    /// score a number, the label one of its declared values, the age band a string.
    static func isValidCreditRecord(_ bytes: [UInt8]) -> Double? {
        guard let v = try? JSONParser.parse(bytes), let score = v["score"]?.doubleValue else { return nil }
        guard let flag = v["default_flag"], [JSONValue.int(0), .int(1), .bool(true), .bool(false),
                                               .string("bad"), .string("good")].contains(flag) else { return nil }
        guard v["applicant"]?["age_band"]?.stringValue != nil, v["ts"]?.int64Value != nil,
              v["applicant_id"]?.stringValue != nil else { return nil }
        return score
    }

    static func referenceScores() throws -> [Double] {
        let text = try String(contentsOf: RepoPaths.pipelines.appendingPathComponent("data/credit-reference.csv"), encoding: .utf8)
        // CRLF lines: split on any newline (a Character "\r\n" is not "\n").
        let rows = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",") }
        let column = try #require(rows.first?.firstIndex(of: "score"))
        return rows.dropFirst().map { Double($0[column])! }
    }

    @Test func creditPSIMatchesShannonStatsOnTheSameRecords() throws {
        let stream = DemoStreams.creditScores(records: 30_000, shiftAt: 15_000)
        let driver = try PipelineDriver(pipelineFile: Self.creditFile)
        driver.send(stream.records)

        // The same figures straight from ShannonStats: deciles of the reference sample, windows
        // of 5000 accepted records, smoothing 0.5, reference noise counted (fixed_reference: false).
        let reference = try Self.referenceScores()
        let binning = try Binning(quantilesOf: reference, bins: 10)
        var acc = PSIAccumulator(binning: binning, referenceSample: reference)
        var expected: [Double] = []
        var inWindow = 0
        var rejected = 0
        for r in stream.records {
            guard let score = Self.isValidCreditRecord(r.value) else { rejected += 1; continue }
            let added = acc.add(score)
            #expect(added)
            inWindow += 1
            if inWindow == 5000 {
                expected.append(acc.result(smoothing: 0.5, fixedReference: false, confidence: 0.95).psi)
                acc.reset()
                inWindow = 0
            }
        }
        let got = driver.windows(stage: "score-psi").compactMap { $0["figures"]?["psi"]?.doubleValue }
        #expect(got.count == expected.count && expected.count == (30_000 - rejected) / 5000)
        for (g, e) in zip(got, expected) { #expect(abs(g - e) <= 1e-12 * max(1, abs(e)), "psi \(g) vs \(e)") }
        // The shift at record 15000 is there to be seen: the windows after it drift, those before do not.
        #expect(expected.prefix(2).allSatisfy { $0 < 0.1 } && expected.suffix(2).allSatisfy { $0 > 0.25 })
        #expect(driver.counts.deadLetters.reduce(0, +) == rejected)
        #expect(driver.deadLetters.count == rejected)
        #expect(driver.alerts(stage: "score-psi").first?.state == .firing)
    }

    @Test func offsetsAreNumberedPerPartitionAndReplaysSkipped() throws {
        let driver = try PipelineDriver(pipelineFile: Self.creditFile)
        let records = DemoStreams.creditScores(records: 40, shiftAt: 40).records
        for (i, r) in records.enumerated() { driver.send(value: r.value, key: r.key, partition: Int32(i % 2)) }
        let c0 = try #require(driver.checkpoint(partition: 0))
        let c1 = try #require(driver.checkpoint(partition: 1))
        #expect(c0.nextOffset == 20 && c1.nextOffset == 20)
        // Offsets already in the state are a replay: counted, not processed.
        driver.send(value: records[0].value, partition: 0, offset: 3)
        #expect(driver.checkpoint(partition: 0)?.nextOffset == 20)
        #expect(driver.counts.records == 41 && driver.counts.decoded <= 40)
        #expect(driver.checkpoint(partition: 7) == nil)
    }

    @Test func restartFromAMidStreamCheckpointEndsWithTheSameBytes() throws {
        let records = DemoStreams.creditScores(records: 24_000, shiftAt: 12_000).records
        let cut = 11_111

        // Uninterrupted: one checkpoint round at the cut (as the daemon's periodic round would
        // take), then on to the end.
        let whole = try PipelineDriver(pipelineFile: Self.creditFile)
        whole.send(records[..<cut])
        let mid = try #require(try whole.checkpointBytes())
        whole.send(records[cut...])
        let wholeFinal = try #require(try whole.checkpointBytes())

        // Crash after the checkpoint, having processed some records past it; restart from the
        // file and replay from offset 0 (the replay overlap is skipped).
        let first = try PipelineDriver(pipelineFile: Self.creditFile)
        first.send(records[..<cut])
        #expect(try first.checkpointBytes() == mid)
        first.send(records[cut..<(cut + 500)])
        let second = try first.restarted(fromFiles: [mid])
        for (i, r) in records.enumerated() { second.send(value: r.value, key: r.key, offset: Int64(i)) }
        let restartedFinal = try #require(try second.checkpointBytes())

        #expect(restartedFinal == wholeFinal)
        // The alerts after the cut are the same alerts, ids included.
        let after = whole.alerts.filter { $0.window.endOffset >= Int64(cut) }
        #expect(!after.isEmpty)
        #expect(second.alerts.map(\.id) == after.map(\.id))
    }

    @Test func aCheckpointOfAnotherConfigurationIsRefused() throws {
        let driver = try PipelineDriver(pipelineFile: Self.creditFile)
        driver.send(DemoStreams.creditScores(records: 10, shiftAt: 10).records)
        var c = try #require(driver.checkpoint())
        c.fingerprints["score-psi"] = 42
        #expect(throws: PipelineDriver.DriverError.self) { try driver.restarted(from: [c]) }
    }

    @Test func anInvalidFileIsAnError() throws {
        let bad = RepoPaths.fixture("broken/typo-key.yaml").path
        #expect(throws: PipelineDriver.DriverError.self) { try PipelineDriver(pipelineFile: bad) }
    }
}
