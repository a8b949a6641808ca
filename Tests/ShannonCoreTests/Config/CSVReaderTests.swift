import Testing
@testable import ShannonCore

@Suite struct CSVReaderTests {
    @Test func quotesHoldCommasQuotesAndLineBreaks() {
        var rows = CSVReader("id,text\n1,\"a, b\"\r\n2,\"say \"\"hi\"\"\nthere\"\n3,plain")
        #expect(rows.next() == ["id", "text"])
        #expect(rows.next() == ["1", "a, b"])
        #expect(rows.next() == ["2", "say \"hi\"\nthere"])
        #expect(rows.next() == ["3", "plain"])
        #expect(rows.next() == nil)
    }

    /// Each row knows the line it starts on, past blank lines, CRLF and quoted line breaks.
    @Test func rowsCarryTheLineTheyStartOn() {
        let rows = CSVReader.rows(Array("a,b\r\n\r\n1,\"x\ny\"\n\n2,z\r3,w\n".utf8))
        #expect(rows.map(\.line) == [1, 3, 6, 7])
        #expect(rows.map(\.cells) == [["a", "b"], ["1", "x\ny"], ["2", "z"], ["3", "w"]])
    }

    @Test func aByteOrderMarkIsDroppedAndEmptyCellsKept() {
        let rows = CSVReader.rows([0xEF, 0xBB, 0xBF] + Array("score,label\n,1\n0.5,\n".utf8))
        #expect(rows.map(\.cells) == [["score", "label"], ["", "1"], ["0.5", ""]])
    }
}
