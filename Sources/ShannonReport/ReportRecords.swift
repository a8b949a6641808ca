import ShannonCore

/// One record of a pipeline's windows sink (`sinks.windows`), as `PipelineWorker.writeWindow`
/// writes it: the stage's figures for one closed window, or for one event (a boundary).
public struct WindowRecord: Equatable, Sendable {
    public var pipeline: String
    public var stage: String
    public var stageType: String
    public var key: String
    public var window: AlertWindow
    /// The figures in the order the stage wrote them; a figure written as `null` (NaN, ±inf) is nil.
    public var figures: [(name: String, value: Double?)]
    public var detail: JSONValue

    public init(pipeline: String, stage: String, stageType: String, key: String, window: AlertWindow,
                figures: [(name: String, value: Double?)], detail: JSONValue = .object([])) {
        self.pipeline = pipeline
        self.stage = stage
        self.stageType = stageType
        self.key = key
        self.window = window
        self.figures = figures
        self.detail = detail
    }

    /// The figure named `name`, when present and finite.
    public func figure(_ name: String) -> Double? {
        figures.first { $0.name == name }?.value ?? nil
    }

    public static func == (a: WindowRecord, b: WindowRecord) -> Bool {
        a.pipeline == b.pipeline && a.stage == b.stage && a.stageType == b.stageType && a.key == b.key
            && a.window == b.window && a.detail == b.detail && a.figures.count == b.figures.count
            && zip(a.figures, b.figures).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// Reads a windows record from its parsed JSON.
    public static func decode(_ root: JSONValue) throws(ReportInputError) -> WindowRecord {
        guard case .object = root else { throw ReportInputError(message: "the top level is not an object") }
        func string(_ o: JSONValue, _ name: String) throws(ReportInputError) -> String {
            guard let s = o[name]?.stringValue else { throw ReportInputError(message: "\"\(name)\" is missing or not a string") }
            return s
        }
        func integer(_ o: JSONValue, _ name: String) throws(ReportInputError) -> Int64? {
            guard let v = o[name] else { throw ReportInputError(message: "\"window.\(name)\" is missing") }
            if v.isNull { return nil }
            guard let i = v.int64Value else { throw ReportInputError(message: "\"window.\(name)\" is not an integer") }
            return i
        }
        guard let w = root["window"], case .object = w else { throw ReportInputError(message: "\"window\" is missing or not an object") }
        guard let partition = try integer(w, "partition").flatMap({ Int32(exactly: $0) }),
              let start = try integer(w, "start_offset"), let end = try integer(w, "end_offset"),
              let records = try integer(w, "records").flatMap({ Int(exactly: $0) }) else {
            throw ReportInputError(message: "\"window\" needs partition, start_offset, end_offset and records")
        }
        let window = AlertWindow(topic: try string(w, "topic"), partition: partition, startOffset: start, endOffset: end,
                                 startTime: try integer(w, "start_time"), endTime: try integer(w, "end_time"),
                                 records: records)
        guard case let .object(members)? = root["figures"] else {
            throw ReportInputError(message: "\"figures\" is missing or not an object")
        }
        var figures: [(name: String, value: Double?)] = []
        for m in members {
            if m.value.isNull { figures.append((m.name, nil)); continue }
            guard let d = m.value.doubleValue else { throw ReportInputError(message: "figure \"\(m.name)\" is not a number") }
            figures.append((m.name, d.isFinite ? d : nil))
        }
        return WindowRecord(pipeline: try string(root, "pipeline"), stage: try string(root, "stage"),
                            stageType: try string(root, "stage_type"), key: try string(root, "key"),
                            window: window, figures: figures, detail: root["detail"] ?? .null)
    }
}

/// A line of an input file that is not what Shannon writes.
public struct ReportInputError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}

/// JSON lines (one object per line, as `kcat -C -f '%s\n'` prints a topic): blank lines are
/// skipped, any other line that does not parse stops the report with its file and line number,
/// because a silently skipped window would be a hole in the chart nobody sees.
public enum JSONLines {
    public static func windows(_ bytes: [UInt8], file: String) throws(ReportInputError) -> [WindowRecord] {
        var out: [WindowRecord] = []
        try forEachLine(bytes, file: file) { (value, _) throws(ReportInputError) in out.append(try WindowRecord.decode(value)) }
        return out
    }

    public static func alerts(_ bytes: [UInt8], file: String) throws(ReportInputError) -> [Alert] {
        var out: [Alert] = []
        try forEachLine(bytes, file: file) { (_, line) throws(ReportInputError) in
            do { out.append(try Alert.decode(line)) } catch { throw ReportInputError(message: "\(error)") }
        }
        return out
    }

    private static func forEachLine(_ bytes: [UInt8], file: String,
                                    _ body: (JSONValue, [UInt8]) throws(ReportInputError) -> Void) throws(ReportInputError) {
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            var line = Array(bytes[start..<end])
            if line.last == 0x0D { line.removeLast() }
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do {
                let value = try JSONParser.parse(line)
                try body(value, line)
            } catch let e as ReportInputError {
                throw ReportInputError(message: "\(file):\(lineNumber): \(e.message)")
            } catch {
                throw ReportInputError(message: "\(file):\(lineNumber): \(error)")
            }
        }
    }
}
