import Foundation
import Synchronization

/// What a pipeline's workers share while they run (PipelineWorkers.swift): whether one of them
/// failed, so the others stop too, and whether every one is caught up.
///
/// `--until-caught-up` ends for all the workers at once, never for one alone: a worker that left
/// the group early would hand its partitions to a sibling mid-run (a rebalance, ~3 s on the
/// embedded broker). A worker that owns no partition (more workers than partitions) counts as
/// caught up once it has its (empty) assignment; the run ends only when at least one worker owns
/// a partition, so a lone worker still waits for an assignment, as it always has. Once every
/// worker has said so in the same pass, the end is final: a later rebalance does not undo it.
final class WorkerTeam: Sendable {
    private struct State {
        var caughtUp: [Bool]
        var owned: [Int]
        var done = false
    }
    private let state: Mutex<State>
    private let failure = Atomic<Bool>(false)
    let count: Int
    /// Workers whose consumer exists and is about to subscribe (`gather`).
    private let arrived = Mutex(0)
    private let gathering = NSCondition()

    init(workers: Int) {
        count = workers
        state = Mutex(State(caughtUp: Array(repeating: false, count: workers), owned: Array(repeating: 0, count: workers)))
    }

    /// Worker `seat` says whether it is caught up and how many partitions it owns; the answer is
    /// whether the whole team is done.
    func report(seat: Int, caughtUp: Bool, owned: Int) -> Bool {
        state.withLock { s in
            s.caughtUp[seat] = caughtUp
            s.owned[seat] = owned
            if !s.done && s.caughtUp.allSatisfy({ $0 }) && s.owned.contains(where: { $0 > 0 }) { s.done = true }
            return s.done
        }
    }

    /// Waits until every worker has its consumer (or one failed), so that all of them subscribe
    /// at the same moment and the group forms in one join. A member whose JoinGroup reaches the
    /// coordinator after the group formed costs a second rebalance (~2.5 s on the embedded broker,
    /// seen when the first worker started while the last was still loading its references).
    func gather() {
        gathering.lock()
        arrived.withLock { $0 += 1 }
        gathering.broadcast()
        while arrived.withLock({ $0 }) < count && !failed { gathering.wait() }
        gathering.unlock()
    }

    /// A worker failed (or could not start): its siblings stop at their next batch.
    func fail() {
        failure.store(true, ordering: .releasing)
        gathering.lock()
        gathering.broadcast()
        gathering.unlock()
    }

    var failed: Bool { failure.load(ordering: .acquiring) }
}
