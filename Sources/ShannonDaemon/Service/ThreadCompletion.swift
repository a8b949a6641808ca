import Synchronization

/// Bridges a blocking run on its own thread to an `async` caller: the thread or a
/// cancellation resumes the continuation, whichever comes first, exactly once.
///
/// A cancelled caller stops waiting at once; the thread is left to end on its own (the process
/// is exiting after its graceful shutdown timed out, and checkpoints on disk are atomic).
final class ThreadCompletion<Value: Sendable>: Sendable {
    private enum State {
        case waiting
        case suspended(CheckedContinuation<Value, any Error>)
        case done(Result<Value, any Error>)
        case resumed
    }
    private let state = Mutex<State>(.waiting)

    /// Suspends until `finish` or `cancel` (which may both have happened already).
    func wait() async throws -> Value {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Value, any Error>) in
            let ready: Result<Value, any Error>? = state.withLock { s in
                switch s {
                case .waiting: s = .suspended(c); return nil
                case let .done(r): s = .resumed; return r
                case .suspended, .resumed: preconditionFailure("waited twice")
                }
            }
            if let ready { c.resume(with: ready) }
        }
    }

    func finish(_ result: Result<Value, any Error>) {
        let waiter: CheckedContinuation<Value, any Error>? = state.withLock { s in
            switch s {
            case .waiting: s = .done(result); return nil
            case let .suspended(c): s = .resumed; return c
            case .done, .resumed: return nil
            }
        }
        waiter?.resume(with: result)
    }

    func cancel() { finish(.failure(CancellationError())) }
}

/// Fires once `count` parties have arrived (or `open` is called); `wait` returns then.
final class Latch: Sendable {
    private struct State {
        var remaining: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state: Mutex<State>

    init(count: Int) { state = Mutex(State(remaining: count)) }

    func arrive() { release { $0.remaining -= 1 } }
    func open() { release { $0.remaining = 0 } }

    private func release(_ change: (inout State) -> Void) {
        let woken: [CheckedContinuation<Void, Never>] = state.withLock { s in
            change(&s)
            guard s.remaining <= 0 else { return [] }
            defer { s.waiters = [] }
            return s.waiters
        }
        woken.forEach { $0.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let open = state.withLock { s in
                if s.remaining <= 0 { return true }
                s.waiters.append(c)
                return false
            }
            if open { c.resume() }
        }
    }
}
