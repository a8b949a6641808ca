/// Why the checkpoint store could not do what was asked. Defective *files* are not errors:
/// `loadLatest` skips them and reports them in `CheckpointLoadResult.skipped`.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed.
    case io(operation: String, path: String, errno: Int32)
    /// The newest valid checkpoint was written under another configuration of `stage`.
    case configurationChanged(stage: String, change: ConfigurationChange)
    /// A name that cannot be used as a path component.
    case invalidName(String)

    public enum ConfigurationChange: Equatable, Sendable {
        /// The stage exists in both, with different fingerprints.
        case modified(saved: UInt64, current: UInt64)
        /// The stage is in the pipeline but not in the checkpoint.
        case added
        /// The stage is in the checkpoint but no longer in the pipeline.
        case removed
    }

    public var description: String {
        switch self {
        case let .io(op, path, e): "\(op) \(path): \(String(cString: checkpointStrerror(e)))"
        case let .configurationChanged(stage, change):
            switch change {
            case let .modified(saved, current):
                "stage '\(stage)' changed configuration since the checkpoint (fingerprint \(checkpointHex(saved)) → \(checkpointHex(current))); its saved state does not apply. Restore the old configuration or start with --reset-state"
            case .added:
                "stage '\(stage)' was added since the checkpoint; the saved state does not cover it. Start with --reset-state to discard the saved state"
            case .removed:
                "stage '\(stage)' was removed since the checkpoint; the saved state still holds it. Start with --reset-state to discard the saved state"
            }
        case let .invalidName(n): "'\(n)' cannot be used as a checkpoint path component"
        }
    }
}

func checkpointHex(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private func checkpointStrerror(_ e: Int32) -> UnsafeMutablePointer<CChar> { strerror(e) }
