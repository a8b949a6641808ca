import ShannonStats
import Foundation
@testable import ShannonPipeline

/// A fresh directory under the system temp dir, removed by `cleanup()`.
struct CheckpointTestDir {
    let path: String

    init(_ label: String = #function) {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "shannon-\(safe)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// Deterministic pseudo-random numbers so failures reproduce.
typealias CheckpointTestRandom = SplitMix64

extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

func checkpointTestWrite(_ bytes: [UInt8], to path: String) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

func checkpointTestRead(_ path: String) -> [UInt8] {
    [UInt8](FileManager.default.contents(atPath: path)!)
}
