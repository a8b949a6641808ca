import Foundation
import ShannonCore
import ShannonDaemon

// State benchmarks on the engine, no broker (a plain executable, not a timed test: numbers vary
// with the machine and are reported, never asserted here).
//
//   changelog-bench [restore] [--keys N]   checkpoint N keys, write them as changelog records,
//                                          rebuild and restore them; prints keys/s per phase
//   changelog-bench checkpoint [--keys N]  the local checkpoint of an N-key state: encode +
//                                          zstd + durable write (CheckpointStore.write: temp
//                                          file, fsync, rename, directory fsync), then restore
//                                          (load + decode + engine restore); wall and CPU ms
//   changelog-bench hot [--keys N]         N records over 1000 keys held: the per-record cost
//   changelog-bench key-flood [--keys N]   N records of N distinct keys through one stage with
//                                          the default `keys:`; prints evictions, notices, the
//                                          time and this process's peak RSS (VmHWM)
//
// Build with `swift build -c release --product changelog-bench` for figures worth quoting. Times
// are the thread's CPU time, not wall time.

let arguments = Array(CommandLine.arguments.dropFirst())
let mode = arguments.first.flatMap { $0.hasPrefix("-") ? nil : $0 } ?? "restore"
var keysWanted = mode == "key-flood" ? 1_000_000 : 1_000_000
if let i = arguments.firstIndex(of: "--keys"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) { keysWanted = n }

/// A PSI stage keyed by a category field, over count windows: the shape of a per-user drift monitor.
func pipeline(keysBlock: String) -> String {
    """
    version: 1
    name: bench
    source: { topics: [t] }
    decode:
      fields:
        x: { path: x, type: number }
        g: { path: g, type: category }
    stages:
      - id: s
        type: psi
        input: x
        key_by: g
        params: { reference: { histogram: { edges: [0.25, 0.5, 0.75], counts: [25, 25, 25, 25] } } }
        \(keysBlock)
    sinks:
      alerts: { topic: a }
      windows: { topic: w }
    """
}

/// CPU seconds of this thread spent in `body`: the figures stay comparable on a shared, loaded
/// machine, where wall time mostly measures the neighbours (everything here is single-threaded).
func seconds(_ body: () throws -> Void) rethrows -> Double {
    func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
    let start = now()
    try body()
    return now() - start
}

/// This process's peak resident set, from /proc/self/status (Linux), in KiB.
func peakRSSKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }
    return -1
}

func record(_ i: Int) -> [UInt8] {
    Array("{\"x\": \(Double(i % 1000) / 1000), \"g\": \"user-\(i)\"}".utf8)
}

func feed(_ engine: PipelineEngine, _ state: PartitionState, records: Int, onOutbound: (OutboundRecord) -> Void) {
    for i in 0..<records {
        engine.process(value: record(i), offset: Int64(i), timestamp: nil, in: state, now: 0)
        if i % 1024 == 1023 { engine.drainOutbound(onOutbound) }
    }
    engine.drainOutbound(onOutbound)
}

func keyFlood(_ n: Int) throws {
    let engine = try PipelineEngine(plan: PipelinePlan(spec: PipelineLoader.parse(yaml: pipeline(keysBlock: ""))))
    let state = engine.makePartition(topic: "t", partition: 0, nextOffset: 0)
    // The stage has no alert rule, so every alert is a notice; every window record beyond the
    // stage's whole windows is an evicted key's partial one.
    var windowRecords = 0, notices = 0
    let t = seconds {
        feed(engine, state, records: n) { r in
            switch r.kind {
            case .window: windowRecords += 1
            case .alert: notices += 1
            case .deadLetter: break
            }
        }
    }
    let c = engine.counts
    let windows = c.windows[0], evictedWindows = windowRecords - windows
    print("key-flood records=\(n) keys_held=\(c.keysHeld[0]) keys_evicted=\(c.keysEvicted[0]) "
          + "evicted_windows=\(evictedWindows) windows=\(windows) notices=\(notices) dead_letters=\(c.deadLetters.reduce(0, +)) "
          + "seconds=\(String(format: "%.2f", t)) records_per_s=\(Int(Double(n) / t)) peak_rss_kib=\(peakRSSKiB())")
}

func restore(_ n: Int) throws {
    let plan = try PipelinePlan(spec: PipelineLoader.parse(yaml: pipeline(keysBlock: "keys: { max: \(n) }")))
    let engine = try PipelineEngine(plan: plan)
    let state = engine.makePartition(topic: "t", partition: 0, nextOffset: 0)
    feed(engine, state, records: n) { _ in }
    let checkpoint = engine.checkpoint(of: state, createdAtMs: 0)
    let tracker = ChangelogTracker(epoch: 1, owner: "bench")
    var batch: ChangelogBatch!
    let tPlan = try seconds { batch = try tracker.plan(checkpoint, createdAtMs: 0) }
    var rebuilder = ChangelogRebuilder(pipeline: "bench", topic: "t", partition: 0)
    let tAdd = seconds {
        for w in batch.writes { rebuilder.add(key: w.key, value: w.value, tombstoneTag: w.tag) }
        rebuilder.add(key: batch.marker.key.bytes, value: batch.marker.encoded())
    }
    var result: ChangelogRebuilder.Result!
    let tFinish = try seconds { result = try rebuilder.finish() }
    let rebuilt = try restoreCheckpoint(result)
    var restored: PartitionState!
    let tRestore = try seconds { restored = try engine.restorePartition(rebuilt) }
    precondition(rebuilt.entries.count == n && engine.checkpoint(of: restored, createdAtMs: 0).entries == checkpoint.entries,
                 "the restored state differs from the checkpointed one")
    func rate(_ t: Double) -> String { String(format: "%.3f M keys/s (%.2f s)", Double(n) / t / 1e6, t) }
    print("restore keys=\(n) bytes_written=\(batch.writes.reduce(0) { $0 + $1.key.count + ($1.value?.count ?? 0) })")
    print("  write (tracker.plan):        \(rate(tPlan))")
    print("  read (rebuilder.add):        \(rate(tAdd))")
    print("  decompress (rebuilder.finish): \(rate(tFinish))")
    print("  restore (engine.restore):    \(rate(tRestore))")
    print("  changelog to state (read + decompress + restore): \(rate(tAdd + tFinish + tRestore))")
}

func restoreCheckpoint(_ r: ChangelogRebuilder.Result) throws -> Checkpoint {
    guard let c = r.checkpoint else { throw CheckpointDefect.corrupt("the rebuilt changelog holds no marker") }
    return c
}

/// The per-record cost with keys already held: `records` records over `keys` keys in turn (each
/// record another key than the one before, so every record takes the recency-list move).
func hot(_ records: Int, keys: Int) throws {
    let engine = try PipelineEngine(plan: PipelinePlan(spec: PipelineLoader.parse(yaml: pipeline(keysBlock: ""))))
    let state = engine.makePartition(topic: "t", partition: 0, nextOffset: 0)
    let values = (0..<keys).map(record)
    var sent = 0
    let t = seconds {
        for i in 0..<records {
            engine.process(value: values[i % keys], offset: Int64(i), timestamp: nil, in: state, now: 0)
            if i % 1024 == 1023 { engine.drainOutbound { _ in sent += 1 } }
        }
    }
    print("hot records=\(records) keys=\(keys) seconds=\(String(format: "%.2f", t)) "
          + "ns_per_record=\(Int(t * 1e9 / Double(records))) outbound=\(sent)")
}

/// Wall-clock seconds of `body`: a durable write waits on the disk, which CPU time does not see.
func wallSeconds(_ body: () throws -> Void) rethrows -> Double {
    var a = timespec(), b = timespec()
    clock_gettime(CLOCK_MONOTONIC, &a)
    try body()
    clock_gettime(CLOCK_MONOTONIC, &b)
    return Double(b.tv_sec - a.tv_sec) + Double(b.tv_nsec - a.tv_nsec) / 1e9
}

/// The local checkpoint of issue #8's goal: a 1 M-key state to a durable file and back.
func localCheckpoint(_ n: Int) throws {
    let plan = try PipelinePlan(spec: PipelineLoader.parse(yaml: pipeline(keysBlock: "keys: { max: \(n) }")))
    let engine = try PipelineEngine(plan: plan)
    let state = engine.makePartition(topic: "t", partition: 0, nextOffset: 0)
    feed(engine, state, records: n) { _ in }
    let dir = NSTemporaryDirectory() + "changelog-bench-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = CheckpointStore(directory: dir)
    var checkpoint: Checkpoint!
    var encoded: [UInt8] = []
    var fileBytes = 0
    func phase(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
        var cpu = 0.0
        let wall = try wallSeconds { cpu = try seconds(body) }
        return (wall, cpu)
    }
    let tSnapshot = phase { checkpoint = engine.checkpoint(of: state, createdAtMs: 0) }
    let tEncode = try phase { encoded = try CheckpointFile.encode(checkpoint) }
    checkpoint.generation = 1
    let tWrite = try phase { fileBytes = try store.write(checkpoint) }
    var loaded: Checkpoint!
    let tLoad = try phase {
        loaded = try store.loadLatest(pipeline: "bench", topic: "t", partition: 0,
                                      expectedFingerprints: checkpoint.fingerprints).checkpoint
    }
    var restored: PartitionState!
    let tRestore = try phase { restored = try engine.restorePartition(loaded) }
    precondition(engine.checkpoint(of: restored, createdAtMs: 0).entries == checkpoint.entries,
                 "the restored state differs from the checkpointed one")
    func ms(_ t: (wall: Double, cpu: Double)) -> String { String(format: "%.0f ms wall, %.0f ms CPU", t.wall * 1e3, t.cpu * 1e3) }
    print("checkpoint keys=\(n) file_bytes=\(fileBytes) uncompressed_state_bytes=\(checkpoint.entries.reduce(0) { $0 + $1.state.count })"
          + " encoded_bytes=\(encoded.count)")
    print("  snapshot (engine.checkpoint, on the worker): \(ms(tSnapshot))")
    print("  encode + zstd (CheckpointFile.encode):       \(ms(tEncode))")
    print("  encode + zstd + durable write (store.write): \(ms(tWrite))")
    print("  load + zstd + decode (store.loadLatest):     \(ms(tLoad))")
    print("  restore (engine.restorePartition):           \(ms(tRestore))")
    print("  restore total (load + restore):              \(ms((tLoad.wall + tRestore.wall, tLoad.cpu + tRestore.cpu)))")
}

switch mode {
case "checkpoint": try localCheckpoint(keysWanted)
case "hot": try hot(keysWanted, keys: 1000)
case "key-flood": try keyFlood(keysWanted)
case "restore": try restore(keysWanted)
default:
    FileHandle.standardError.write(Data("unknown mode \(mode): restore | checkpoint | hot | key-flood\n".utf8))
    exit(2)
}
