import Testing
import ShannonTestSupport
@testable import ShannonCLI

@Suite struct TCPDSeriesFileTests {
    @Test func nullsAreMissingAndDimensionsBecomeColumns() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/s.json"
        TemporaryDirectory.write(Array(#"{"name":"s","series":[{"label":"a","raw":[1,null,3]},{"raw":[4,5,6]}]}"#.utf8), to: path)
        let s = try TCPDSeriesFile.readTCPDSeries(path: path)
        #expect(s.name == "s")
        #expect(s.labels == ["a", "dim1"])
        #expect(s.rows == [[1, 4], [nil, 5], [3, 6]])
    }

    @Test func raggedDimensionsAreRefused() {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/s.json"
        TemporaryDirectory.write(Array(#"{"series":[{"raw":[1,2]},{"raw":[4]}]}"#.utf8), to: path)
        #expect(throws: StatsInputError.self) { try TCPDSeriesFile.readTCPDSeries(path: path) }
    }
}
