import Testing

/// The pipeline runtime end to end: YAML → plan → worker → embedded broker (real TCP, the
/// librdkafka mock cluster) → alerts, dead letters and checkpoints read back.
///
/// Serialized: the tests share one broker and two cores; running them one at a time keeps
/// each test's timing (and the mock's per-partition memory) predictable. The tests live in
/// extensions, one file per concern.
@Suite("EndToEnd", .serialized)
struct EndToEndTests {}
