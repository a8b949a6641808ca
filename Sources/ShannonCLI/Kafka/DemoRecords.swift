import Foundation
import ShannonKafka

/// Small JSON records (~80 bytes) for demos and benchmarks, produced zstd-compressed so that
/// the embedded broker's ~5 MiB-per-partition retention holds a million of them.
enum DemoRecords {
    static let countries = ["DE", "FR", "US", "GB", "JP", "BR", "IN", "NL", "SE", "ES"]

    /// The producer properties that keep a bulk load fast and compact.
    static let bulkProducerProperties: [String: String] = [
        "compression.codec": "zstd",
        "linger.ms": "50",
        "batch.num.messages": "10000",
        "batch.size": "1000000",
        "queue.buffering.max.messages": "1000000",
        "queue.buffering.max.kbytes": "1048576",
    ]

    /// Writes record `seq` into `buffer` and returns its length.
    static func write(seq: Int, into buffer: inout [UInt8]) -> Int {
        let user = seq % 5_000
        let cents = (seq &* 7_919) % 100_000
        let fraction = cents % 100 < 10 ? "0\(cents % 100)" : "\(cents % 100)"
        let text = #"{"seq":\#(seq),"user":"u\#(user)","country":"\#(countries[seq % countries.count])","amount":\#(cents / 100).\#(fraction),"ts":\#(1_700_000_000_000 + seq)}"#
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: text.utf8)
        return buffer.count
    }

    /// Produces `count` records round-robin over `partitions` and waits for every delivery.
    /// Returns the number delivered (throws on any failed delivery).
    @discardableResult
    static func produce(count: Int, topic: String, partitions: Int32, bootstrap: String,
                        extra: [String: String] = [:]) throws -> Int {
        var config = bulkProducerProperties
        config["bootstrap.servers"] = bootstrap
        for (k, v) in extra { config[k] = v }
        let producer = try KafkaProducer(configuration: config)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        for seq in 0..<count {
            _ = write(seq: seq, into: &buffer)
            try buffer.withUnsafeBytes { value in
                try producer.produce(topic: topic, key: nil, value: value, partition: Int32(seq % Int(partitions)), id: UInt64(seq))
            }
            if seq % 10_000 == 0 { producer.poll() }
        }
        try producer.flush(timeout: .seconds(120))
        let failed = producer.failedCount
        if failed > 0 {
            let first = producer.drainDeliveryReports().first { $0.error != nil }
            throw KafkaError(code: first?.error?.code ?? -1, message: "\(failed) of \(count) demo records failed: \(first?.error?.message ?? "?")")
        }
        return producer.deliveredCount
    }
}
