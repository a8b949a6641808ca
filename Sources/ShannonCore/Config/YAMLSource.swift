import Foundation
import Yams

/// What the pipeline loader and the pipeline test loader do alike before their files differ:
/// read the file, and compose its YAML into `Node`s (which keep their marks), every failure
/// becoming a located `PipelineError` so the two kinds of file fail the same way.
enum YAMLSource {
    /// The text at `path` and the directory its relative paths resolve against ("." for a
    /// bare file name).
    static func read(_ path: String) throws(PipelineErrors) -> (text: String, baseDirectory: String) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PipelineErrors([PipelineError(file: path, line: 1, column: 1,
                                                message: "cannot read the file: \(error.localizedDescription)")])
        }
        let base = (path as NSString).deletingLastPathComponent
        return (text, base.isEmpty ? "." : base)
    }

    /// The root node of `yaml`; `file` names it in messages, `emptyHint` tells where to start
    /// when there is nothing in it.
    static func compose(_ yaml: String, file: String, emptyHint: String) throws(PipelineErrors) -> Node {
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw PipelineErrors([PipelineError(file: file, line: 1, column: 1, message: "the file is empty",
                                                    hint: emptyHint)])
            }
            return node
        } catch let error as PipelineErrors {
            throw error
        } catch {
            throw PipelineErrors([yamlError(error, file: file, text: yaml)])
        }
    }

    /// A Yams syntax error in our format (Yams' marks are already 1-based).
    static func yamlError(_ error: any Error, file: String, text: String) -> PipelineError {
        guard let yaml = error as? YamlError else {
            return PipelineError(file: file, line: 1, column: 1, message: "YAML error: \(error)")
        }
        switch yaml {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return PipelineError(file: file, line: mark.line, column: mark.column,
                                 message: "YAML syntax error: \(problem)",
                                 hint: context.map { "\($0.text) at line \($0.mark.line), column \($0.mark.column)" })
        case .duplicatedKeysInMapping(let duplicates, let context):
            let (line, column) = secondOccurrence(of: duplicates.first ?? "", in: text, from: context.mark)
            return PipelineError(file: file, line: line, column: column,
                                 message: "duplicate key `\(duplicates.joined(separator: "`, `"))` in a mapping",
                                 hint: "each key may appear once; remove or rename the repeated one")
        case .reader(let problem, _, _, _):
            return PipelineError(file: file, line: 1, column: 1, message: "YAML error: \(problem)")
        default:
            return PipelineError(file: file, line: 1, column: 1, message: "YAML error: \(yaml)")
        }
    }

    /// Yams points a duplicate key at its mapping; the user wants the repeated key itself. Looks
    /// for block-style `key:` lines at the mapping's column from the mapping on, and returns the
    /// second (falls back to the mapping's position).
    static func secondOccurrence(of key: String, in text: String, from mark: Mark) -> (Int, Int) {
        var seen = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where index + 1 >= mark.line {
            let chars = Array(line)
            var column = 0
            while column < chars.count, chars[column] == " " || chars[column] == "-" { column += 1 }
            guard column + 1 == mark.column else { continue }
            let rest = String(chars[column...])
            for form in [key, "\"\(key)\"", "'\(key)'"] where rest.hasPrefix(form) {
                let after = rest.dropFirst(form.count).drop { $0 == " " }
                if after.first == ":" {
                    seen += 1
                    if seen == 2 { return (index + 1, column + 1) }
                }
            }
        }
        return (mark.line, mark.column)
    }
}
