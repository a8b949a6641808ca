import ArgumentParser
import Foundation
import ShannonCore
import ShannonDaemon

/// `shannon checkpoint …`: look inside saved partition state.
struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Inspect checkpoint files (saved per-partition state and offsets).",
        subcommands: [CheckpointInspectCommand.self]
    )
}

/// `shannon checkpoint inspect PATH [--json]`
struct CheckpointInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a checkpoint's header, offsets, generation, fingerprints and per-stage state.",
        discussion: """
        PATH is a checkpoint file or a directory (searched recursively for gen-*.ckpt files, \
        e.g. the daemon's checkpoint directory). Every file is fully verified (header checksum, \
        body CRC-32C, zstd frame checksum, record checksums). Exit status 1 if any file is corrupt.

        Examples:
          shannon checkpoint inspect /var/lib/shannon   # every pipeline and partition
          shannon checkpoint inspect \\
            /var/lib/shannon/credit-psi/credit-scores-0/gen-00000000000000000042.ckpt
          shannon checkpoint inspect --json /var/lib/shannon \\
            | jq '.[] | {partition, next_offset}'
        """
    )

    @Argument(help: "A checkpoint file or a directory of them.")
    var path: String

    @Flag(help: "Print a JSON array with one object per file.")
    var json = false

    func run() throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ValidationError("no such file or directory: \(path)")
        }
        var files: [String] = []
        var leftovers: [String] = []
        if isDir.boolValue {
            let root = URL(fileURLWithPath: path)
            let walker = FileManager.default.enumerator(atPath: path)
            while let rel = walker?.nextObject() as? String {
                let name = (rel as NSString).lastPathComponent
                let full = root.appendingPathComponent(rel).path
                if CheckpointStore.generation(fromFileName: name) != nil {
                    files.append(full)
                } else if name.hasPrefix("gen-") && name.contains(".tmp") {
                    leftovers.append(full)
                }
            }
            files.sort()
            leftovers.sort()
        } else {
            files = [path]
        }

        var corrupt = 0
        var w = JSONWriter(capacity: 4096)
        if json { w.beginArray() }
        for file in files {
            do {
                let bytes = try CheckpointFile.readBytes(atPath: file)
                let header = try CheckpointFile.decodeHeader(bytes)
                let checkpoint = try CheckpointFile.decode(bytes)
                let summary = CheckpointSummary(header: header, checkpoint: checkpoint)
                if json { summary.write(to: &w, path: file) } else { printText(summary, path: file) }
            } catch {
                corrupt += 1
                // Show what the header still says when only the body is damaged: it helps find the culprit.
                let header = (try? CheckpointFile.readBytes(atPath: file)).flatMap { try? CheckpointFile.decodeHeader($0) }
                if json {
                    w.beginObject()
                    w.field("path", file)
                    w.field("ok", false)
                    w.field("error", "\(error)")
                    if let h = header {
                        w.field("pipeline", h.pipeline)
                        w.field("topic", h.topic)
                        w.field("partition", Int(h.partition))
                        w.field("next_offset", h.nextOffset)
                        w.field("generation", String(h.generation))
                    }
                    w.endObject()
                } else {
                    print(file)
                    if let h = header {
                        print("  header       \(h.pipeline) \(h.topic) [\(h.partition)] generation \(h.generation), next offset \(h.nextOffset)")
                    }
                    print("  CORRUPT: \(error)\n")
                }
            }
        }
        if json {
            w.endArray()
            print(w.string)
        } else {
            if files.isEmpty { print("no checkpoint files under \(path)") }
            for l in leftovers { print("leftover temporary file (ignored, removed by the next write): \(l)") }
            if files.count > 1 { print("\(files.count) files, \(corrupt) corrupt") }
        }
        if corrupt > 0 { throw ExitCode(1) }
    }

    private func printText(_ s: CheckpointSummary, path: String) {
        let h = s.header
        let created = Date(timeIntervalSince1970: Double(h.createdAtMs) / 1000)
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        print(path)
        print("  pipeline     \(h.pipeline)")
        print("  partition    \(h.topic) [\(h.partition)]")
        print("  next offset  \(h.nextOffset)")
        print("  generation   \(h.generation)")
        print("  created      \(iso.string(from: created)) (\(h.createdAtMs))")
        print("  format       v\(h.formatVersion), body \(h.bodyLength) bytes zstd / \(h.uncompressedLength) uncompressed")
        print("  stages       \(s.stages.count)")
        for st in s.stages {
            let fp = st.fingerprint.map(CheckpointSummary.hexFingerprint) ?? "(none)"
            let tags = st.tags.map { "\($0.tag)×\($0.count)" }.joined(separator: " ")
            print("    \(st.id)  fingerprint \(fp)  entries \(st.entries)  keys \(st.keys)  state \(st.stateBytes) bytes  \(tags)")
        }
        print("")
    }
}
