/// One problem found in a pipeline file, positioned at the key or value at fault.
public struct PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based.
    public var line: Int
    /// 1-based.
    public var column: Int
    public var message: String
    /// A second line that says how to fix it (a suggestion, the allowed values…).
    public var hint: String?

    public init(file: String, line: Int, column: Int, message: String, hint: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint
    }

    /// `file:line:column: error: message`, then `  hint: …` when there is one (compiler style, so
    /// editors and CI annotate the line).
    public var description: String {
        let head = "\(file):\(line):\(column): error: \(message)"
        guard let hint else { return head }
        return head + "\n  hint: " + hint
    }
}

/// Every problem of a file (validation does not stop at the first), in file order.
public struct PipelineErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [PipelineError]

    public init(_ errors: [PipelineError]) {
        self.errors = errors.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
