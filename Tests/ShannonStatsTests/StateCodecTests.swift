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
