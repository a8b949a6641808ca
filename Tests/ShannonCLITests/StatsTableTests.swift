import Testing
import ShannonCore
import ShannonTestSupport
@testable import ShannonCLI

@Suite struct StatsTableTests {
    /// Writes `text` to a file named `name` in a fresh directory and reads it as a table.
    static func table(_ text: String, name: String = "t.csv") throws -> StatsTable {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        TemporaryDirectory.write(Array(text.utf8), to: dir.path + "/" + name)
        return try StatsTable.read(path: dir.path + "/" + name)
    }

    static func error(_ text: String, name: String = "t.csv") -> String {
        do {
            _ = try table(text, name: name)
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func quotedCellsKeepCommasAndQuotes() throws {
        let t = try Self.table("id,text\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n")
        #expect(try t.strings("text") == ["a, b", "say \"hi\""])
        #expect(t.count == 2)
    }

    /// Empty, NA, NaN and non-numeric cells, and short rows, are missing numbers (NaN); the
    /// text column says nil for the empty and absent ones.
    @Test func missingValuesBecomeNaNOrNil() throws {
        let t = try Self.table("score,label\n0.5,1\n,0\nNA,1\nnan,0\nabc,1\n2\n")
        let xs = try t.doubles("score")
        #expect(xs[0] == 0.5)
        #expect(xs[1].isNaN && xs[2].isNaN && xs[3].isNaN && xs[4].isNaN)
        #expect(xs[5] == 2)
        #expect(try t.strings("label") == ["1", "0", "1", "0", "1", nil])
    }

    @Test func aRowWiderThanTheHeaderNamesItsLine() {
        #expect(Self.error("a,b\n1,2\n\n\"x\ny\",3,4\n").hasSuffix("t.csv:4: 3 cells, the header names 2"))
    }

    @Test func anUnknownColumnListsTheColumns() throws {
        let t = try Self.table("\u{FEFF}score, label\n1,0\n")
        #expect(throws: StatsInputError.self) { try t.strings("lable") }
        #expect(try t.strings("label") == ["0"], "header names are trimmed and the byte-order mark dropped")
    }

    @Test func jsonLinesReadNestedPathsAndNamesABadLine() throws {
        let t = try Self.table(#"{"f":{"score":0.25},"ok":true}"# + "\n\n" + #"{"f":{"score":null},"ok":false}"# + "\n",
                               name: "t.jsonl")
        #expect(try t.doubles("f.score").map { $0.isNaN ? -1 : $0 } == [0.25, -1])
        #expect(try t.strings("ok") == ["true", "false"])
        #expect(Self.error(#"{"a":1}"# + "\n[1]\n", name: "t.jsonl").hasSuffix("t.jsonl:2: not a JSON object"))
    }
}
