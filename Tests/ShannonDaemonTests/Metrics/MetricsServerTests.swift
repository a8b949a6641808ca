import Foundation
import Logging
import Testing
@testable import ShannonCore
@testable import ShannonDaemon

/// `--metrics-port`: a scrape over real TCP returns the registry's exposition; /healthz answers.
@Test func metricsServerServesPrometheusTextAndHealth() throws {
    let metrics = ShannonMetrics()
    let spec = try PipelineLoader.parse(yaml: """
    version: 1
    name: m
    source: { topics: [t] }
    decode: { fields: { x: { path: x, type: number } } }
    stages:
      - { id: s, type: psi, input: x, params: { reference: { edges: [0] } } }
    """)
    let p = metrics.pipeline("m", stages: spec.stages)
    p.records.increment(by: Int64(42))
    p.deadLetters[DeadLetterReason.malformedJSON.index].increment()
    let server = MetricsServer(host: "127.0.0.1", port: 0, metrics: { metrics.exposition() }, healthy: { true },
                               logger: Logger(label: "test"))
    try server.start()
    defer { server.stop() }

    func get(_ path: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = server.port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        let request = Array("GET \(path) HTTP/1.0\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        return String(decoding: response, as: UTF8.self)
    }

    let scrape = try get("/metrics")
    #expect(scrape.hasPrefix("HTTP/1.0 200 OK"))
    #expect(scrape.contains(#"shannon_records_total{pipeline="m"} 42"#), "\(scrape)")
    #expect(scrape.contains(#"shannon_dead_letters_total{pipeline="m",reason="malformed_json"} 1"#))
    #expect(try get("/healthz").hasSuffix("ok\n"))
    #expect(try get("/nope").hasPrefix("HTTP/1.0 404"))
}
