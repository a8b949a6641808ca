import Foundation
import ShannonCore
import ShannonDaemon

/// SIGTERM/SIGINT → the stop signal the run loops poll between batches. A second signal while
/// stopping exits at once (the checkpoints already on disk stay valid: they are atomic).
final class SignalTrap {
    let stop = StopSignal()
    private let sources: [any DispatchSourceSignal]

    init(onSignal: @escaping @Sendable (Int32) -> Void = { _ in }) {
        let stop = self.stop
        sources = [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if stop.isStopped { exit(130) }
                onSignal(sig)
                stop.stop()
            }
            source.resume()
            return source
        }
    }

    func cancel() { sources.forEach { $0.cancel() } }
}
