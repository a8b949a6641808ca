import Synchronization

/// Every worker's `WorkerHealth`, for `/healthz` and `/readyz`.
///
/// Liveness (`/healthz`): every worker's thread is running and polled within its bound (or is
/// restoring state). A failure means the process should be restarted. Readiness (`/readyz`):
/// every worker is live, has received its partition assignment and has restored every
/// partition it owns. Both answer with one line: `ok`, or the reasons, separated by `; `.
public final class DaemonHealth: Sendable {
    public struct Report: Sendable, Equatable {
        public var ok: Bool
        /// One line, newline-terminated.
        public var body: String
    }

    private let workers = Mutex<[WorkerHealth]>([])

    public init() {}

    /// A new worker's health, listed from now on. Workers of one pipeline get indices 0, 1, …
    public func register(pipeline: String, stallBound: Duration) -> WorkerHealth {
        workers.withLock { all in
            let index = all.filter { $0.pipeline == pipeline }.count
            let h = WorkerHealth(pipeline: pipeline, index: index, stallBound: stallBound)
            all.append(h)
            return h
        }
    }

    public var all: [WorkerHealth] { workers.withLock { $0 } }

    /// `/healthz`. With no worker yet (the daemon is starting) it is live: nothing has failed.
    public func liveness(now: UInt64 = MonotonicClock.nanoseconds()) -> Report {
        let problems = all.compactMap { $0.livenessProblem(now: now) }
        return problems.isEmpty ? Report(ok: true, body: "ok\n") : Report(ok: false, body: "unhealthy: \(Self.line(problems))\n")
    }

    /// `/readyz`.
    public func readiness(now: UInt64 = MonotonicClock.nanoseconds()) -> Report {
        let workers = all
        guard !workers.isEmpty else { return Report(ok: false, body: "not ready: no pipeline worker has started yet\n") }
        let problems = workers.compactMap { $0.readinessProblem(now: now) }
        return problems.isEmpty ? Report(ok: true, body: "ready\n") : Report(ok: false, body: "not ready: \(Self.line(problems))\n")
    }

    /// Joins reasons on one line (a reason may quote an error that has newlines).
    private static func line(_ problems: [String]) -> String {
        problems.joined(separator: "; ").split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
