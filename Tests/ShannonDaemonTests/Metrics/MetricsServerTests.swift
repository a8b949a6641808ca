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
    let health = DaemonHealth()
    let server = MetricsServer(host: "127.0.0.1", port: 0, metrics: { metrics.exposition() }, health: health,
                               logger: Logger(label: "test"))
    try server.start()
    defer { server.stop() }

    let scrape = try HTTPGet.get(port: server.port, "/metrics")
    #expect(scrape.status == 200)
    #expect(scrape.body.contains(#"shannon_records_total{pipeline="m"} 42"#), "\(scrape.body)")
    #expect(scrape.body.contains(#"shannon_dead_letters_total{pipeline="m",reason="malformed_json"} 1"#))
    // No worker yet: nothing has failed (live), nothing is assigned (not ready).
    let live = try HTTPGet.get(port: server.port, "/healthz")
    #expect(live.status == 200 && live.body == "ok\n")
    let ready = try HTTPGet.get(port: server.port, "/readyz")
    #expect(ready.status == 503 && ready.head.hasPrefix("HTTP/1.0 503 Service Unavailable"))
    #expect(ready.body == "not ready: no pipeline worker has started yet\n")
    #expect(try HTTPGet.get(port: server.port, "/nope").status == 404)
}
