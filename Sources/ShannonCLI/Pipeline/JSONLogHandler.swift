import ArgumentParser
import Foundation
import Logging
import ShannonCore
import ShannonDaemon

/// One JSON object per log line on stderr (`--log-format json`), for log collectors that
/// index fields: `{"time","level","label","source","message", …metadata}`.
struct JSONLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .info
    let label: String

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var w = JSONWriter()
        w.beginObject()
        w.field("time", ISO8601DateFormatter.shannon.string(from: Date()))
        w.field("level", event.level.rawValue)
        w.field("label", label)
        w.field("source", event.source)
        w.field("message", event.message.description)
        for (k, v) in merged.sorted(by: { $0.key < $1.key }) where !["time", "level", "label", "source", "message"].contains(k) {
            w.field(k, v.description)
        }
        w.endObject()
        var line = w.bytes
        line.append(UInt8(ascii: "\n"))
        FileHandle.standardError.write(Data(line))
    }
}

extension ISO8601DateFormatter {
    nonisolated(unsafe) static let shannon: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()
}

/// `--log-format text|json`.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json

    func bootstrap() {
        switch self {
        case .text: LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        case .json: LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        }
    }
}
