import Logging
import ServiceLifecycle

/// The HTTP metrics and health endpoint as a `Service`: serves until the group shuts down. It
/// is the group's first service, so it is shut down last: probes see the pipelines drain.
public struct MetricsService: Service, CustomStringConvertible {
    let server: MetricsServer

    public init(server: MetricsServer) { self.server = server }

    public var description: String { "metrics server" }

    public func run() async throws {
        try server.start()
        defer { server.stop() }
        try? await gracefulShutdown()
    }
}
