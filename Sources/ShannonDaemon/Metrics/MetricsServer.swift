import ShannonCore
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// A deliberately small HTTP/1.0 responder for Prometheus scrapes and health probes.
///
/// A daemon that must stay under 60 MiB and build in a minute does not need an HTTP framework
/// to answer `GET /metrics`, `GET /healthz` and `GET /readyz` a few times a minute: one
/// thread, blocking accept, one request per connection, then close.
///
/// `/healthz` (liveness) and `/readyz` (readiness) answer 200 or 503 with a one-line body
/// saying why (`DaemonHealth`): a probe's log then tells which pipeline failed and how.
public final class MetricsServer: @unchecked Sendable {
    // @unchecked: `socket` is written once in `start` before the thread starts and only read
    // afterwards; `stopped` is an atomic-by-convention flag read by the accept thread.
    public typealias Body = @Sendable () -> [UInt8]
    /// A status code (200, 503) and the body.
    typealias Responder = @Sendable () -> (status: Int, body: [UInt8])

    private let host: String
    private let requestedPort: UInt16
    private let routes: [String: (contentType: String, respond: Responder)]
    private var socketFD: Int32 = -1
    private let logger: Logger
    public private(set) var port: UInt16 = 0

    /// - Parameters:
    ///   - metrics: the exposition of `GET /metrics`.
    ///   - health: the workers behind `GET /healthz` and `GET /readyz`.
    public init(host: String = "0.0.0.0", port: UInt16, metrics: @escaping Body, health: DaemonHealth, logger: Logger) {
        self.host = host
        self.requestedPort = port
        self.logger = logger
        func probe(_ report: @escaping @Sendable () -> DaemonHealth.Report) -> Responder {
            { let r = report(); return (r.ok ? 200 : 503, Array(r.body.utf8)) }
        }
        routes = [
            "/metrics": ("text/plain; version=0.0.4; charset=utf-8", { (200, metrics()) }),
            "/healthz": ("text/plain; charset=utf-8", probe { health.liveness() }),
            "/readyz": ("text/plain; charset=utf-8", probe { health.readiness() }),
        ]
    }

    /// Binds and starts serving on a background thread; port 0 picks a free port (see `port`).
    public func start() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw MetricsServerError.socket(errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = requestedPort.bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { close(fd); throw MetricsServerError.address(host) }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { let e = errno; close(fd); throw MetricsServerError.bind(host, requestedPort, e) }
        var actual = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = UInt16(bigEndian: actual.sin_port)
        socketFD = fd
        let thread = Thread { [self] in serve(fd) }
        thread.name = "shannon-metrics"
        thread.start()
        logger.info("metrics server listening", metadata: ["address": "\(host):\(port)", "paths": "/metrics /healthz /readyz"])
    }

    /// Stops accepting; the accept thread ends when its socket closes.
    public func stop() {
        if socketFD >= 0 {
            shutdown(socketFD, Int32(SHUT_RDWR))
            close(socketFD)
            socketFD = -1
        }
    }

    private func serve(_ fd: Int32) {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return // closed by stop()
            }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return }
        let request = String(decoding: buffer[0..<n], as: UTF8.self)
        let parts = request.split(separator: " ", maxSplits: 2)
        let path = parts.count >= 2 ? String(parts[1].split(separator: "?").first ?? "") : ""
        let response: [UInt8]
        if parts.first == "GET", let route = routes[path] {
            let (status, body) = route.respond()
            response = Self.response(status, contentType: route.contentType, body: body)
        } else {
            response = Self.response(404, contentType: "text/plain", body: Array("not found: try /metrics, /healthz or /readyz\n".utf8))
        }
        var sent = 0
        while sent < response.count {
            let w = response.withUnsafeBytes { send(client, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if w <= 0 { return }
            sent += w
        }
    }
}

extension MetricsServer {
    static func response(_ status: Int, contentType: String, body: [UInt8]) -> [UInt8] {
        let reason = switch status {
        case 200: "OK"
        case 404: "Not Found"
        case 503: "Service Unavailable"
        default: "Status"
        }
        let head = "HTTP/1.0 \(status) \(reason)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + body
    }
}

public enum MetricsServerError: Error, CustomStringConvertible {
    case socket(Int32)
    case address(String)
    case bind(String, UInt16, Int32)

    public var description: String {
        switch self {
        case let .socket(e): "metrics server: socket() failed: \(String(cString: strerror(e)))"
        case let .address(h): "metrics server: '\(h)' is not an IPv4 address"
        case let .bind(h, p, e): "metrics server: cannot listen on \(h):\(p): \(String(cString: strerror(e))) (is the port taken? pick another with --metrics-port)"
        }
    }
}
