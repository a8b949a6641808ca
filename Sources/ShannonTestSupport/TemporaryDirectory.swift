import Foundation
import ShannonStats

/// A fresh directory under the system temp dir, for checkpoints and files a test writes;
/// removed by `cleanup()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = #function) {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "shannon-\(safe)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `path` (replacing it).
    public static func write(_ bytes: [UInt8], to path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    /// Reads the whole file at `path`.
    public static func read(_ path: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: path)!)
    }
}

extension SplitMix64 {
    /// A uniform integer in 0..<n (n small: the modulo bias is negligible for tests).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
