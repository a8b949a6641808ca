import Testing
@testable import ShannonStats

struct Sample: StateCodable, Equatable {
    static let tag = StateTag("TEST")
    var count: Int
    var values: [Double]
    var name: String

    func encode(to w: inout StateWriter) {
        w.beginRecord(Self.tag, version: 1)
        w.write(count)
        w.write(values)
        w.write(name)
        w.endRecord()
    }

    init(count: Int, values: [Double], name: String) {
        self.count = count; self.values = values; self.name = name
    }

    init(from r: inout StateReader) throws {
        let v = try r.beginRecord(Self.tag)
        try StateReader.check(v, tag: Self.tag, supported: 1...1)
        count = try r.readCount()
        values = try r.readDoubles()
        name = try r.readString()
        try r.endRecord()
    }
}

@Suite struct StateCodecTests {
    let sample = Sample(count: 7, values: [0, -0.0, .pi, .infinity, 1e-300], name: "psi·key")

    @Test func roundTripIsExact() throws {
        let decoded = try Sample(encodedState: sample.encodedState())
        #expect(decoded.count == sample.count)
        #expect(decoded.values.map(\.bitPattern) == sample.values.map(\.bitPattern))
        #expect(decoded.name == sample.name)
    }

    @Test func crcMatchesKnownVector() {
        // CRC-32C check value from RFC 3720 / the Castagnoli catalogue.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func crcMatchesTheIscsiTestVectors() {
        // RFC 3720, appendix B.4: 32-byte patterns, long enough for the eight-byte steps.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
    }

    @Test func crcOfAnySplitIsTheCrcOfTheWhole() {
        // The eight-byte steps and the byte tail agree at every length and alignment: a CRC
        // continued from the first part's (as `seed`) equals the CRC of the whole.
        var state: UInt64 = 11
        let data = (0..<200).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 40)
        }
        let whole = CRC32C.checksum(data)
        for cut in 0...data.count {
            let head = CRC32C.checksum(Array(data[..<cut]))
            #expect(CRC32C.checksum(Array(data[cut...]), seed: head) == whole, "split at \(cut)")
        }
    }

    @Test func aCorruptNestedRecordIsCaughtByTheOuterChecksum() throws {
        // Readers check only the outermost record's CRC: it covers the nested ones' bytes.
        var w = StateWriter()
        w.beginRecord(StateTag("OUTR"), version: 1)
        sample.encode(to: &w)
        w.endRecord()
        let good = w.bytes
        func read(_ bytes: [UInt8]) throws -> Sample {
            var r = StateReader(bytes)
            try r.beginRecord(StateTag("OUTR"), supported: 1...1)
            let s = try Sample(from: &r)
            try r.endRecord()
            try r.expectEnd()
            return s
        }
        #expect(try read(good) == sample)
        for pos in 14..<(good.count - 4) { // every byte of the payload, nested record included
            var bad = good
            bad[pos] ^= 0x10
            #expect(throws: StateDecodingError.self) { try read(bad) }
        }
    }

    @Test func everyTruncationIsRejected() {
        let bytes = sample.encodedState()
        for cut in 0..<bytes.count {
            #expect(throws: StateDecodingError.self) { try Sample(encodedState: Array(bytes[0..<cut])) }
        }
    }

    @Test func randomCorruptionsAreRejected() {
        let bytes = sample.encodedState()
        var state: UInt64 = 7
        for _ in 0..<1000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var bad = bytes
            let pos = Int(state >> 33) % bad.count
            bad[pos] ^= UInt8(truncatingIfNeeded: (state >> 13) | 1)
            #expect(throws: StateDecodingError.self) { try Sample(encodedState: bad) }
        }
    }

    @Test func wrongTagAndVersionAreReported() {
        var w = StateWriter()
        w.beginRecord(StateTag("TEST"), version: 9)
        w.endRecord()
        #expect(throws: StateDecodingError.unsupportedVersion(tag: "TEST", version: 9)) { try Sample(encodedState: w.bytes) }
        var w2 = StateWriter()
        w2.beginRecord(StateTag("OTHR"), version: 1)
        w2.endRecord()
        #expect(throws: StateDecodingError.wrongTag(expected: "TEST", found: "OTHR")) { try Sample(encodedState: w2.bytes) }
    }
}
