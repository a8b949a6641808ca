import Testing
import ShannonCore
@testable import ShannonCLI

@Suite struct StatsOutputTests {
    @Test func jsonKeepsKeyOrderAndSpellsNonFiniteNumbers() {
        let v = JSONValue.fields([("psi", .number(.infinity)), ("n", .integer(3)), ("p", .number(.nan)),
                                  ("name", .string("a\"b\n"))])
        #expect(StatsOutput.json(v) == "{\n  \"psi\": \"inf\",\n  \"n\": 3,\n  \"p\": \"nan\",\n  \"name\": \"a\\\"b\\n\"\n}")
    }

    @Test func csvQuotesCellsThatNeedIt() {
        let text = StatsOutput.csv(header: ["k", "v"], rows: [[.string("a,b"), .number(0.5)], [.string("q\""), .null]])
        #expect(text == "k,v\n\"a,b\",0.5\n\"q\"\"\",\n")
        let rows = CSVReader.rows(Array(text.utf8)).map(\.cells)
        #expect(rows == [["k", "v"], ["a,b", "0.5"], ["q\"", ""]], "what we write reads back")
    }

    @Test func tableRightAlignsNumericColumns() {
        let text = StatsOutput.table(header: ["bin", "name"], rows: [[.integer(1), .string("low")], [.integer(10), .string("x")]])
        #expect(text == "bin  name\n---  ----\n  1  low \n 10  x   \n")
    }
}
