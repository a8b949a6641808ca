import ArgumentParser
import Testing
@testable import ShannonCLI

/// Every command's `--help` reads as written: no paragraph broken mid-sentence (source text
/// hard-wrapped, then wrapped again by ArgumentParser) and no example line wrapped.
@Suite struct HelpTextTests {
    static let columns = 80

    /// Every command, depth first: `shannon`, `shannon run`, `shannon stats psi`, …
    static func commands(_ root: ParsableCommand.Type = Shannon.self, path: [String] = ["shannon"])
        -> [(path: String, type: ParsableCommand.Type)] {
        [(path.joined(separator: " "), root)] + root.configuration.subcommands.flatMap { sub in
            commands(sub, path: path + [sub._commandName])
        }
    }

    /// A rendered line's prose text and the column it starts at, or nil for lines that are not
    /// prose: indented blocks of the discussion (examples, tables) and the usage line. Prose is
    /// at column 0 (overview, discussion) or in the help column of ARGUMENTS / OPTIONS /
    /// SUBCOMMANDS rows (where the text follows two or more spaces after the name).
    static func prose(_ line: Substring, helpColumn: Int) -> (column: Int, text: Substring)? {
        if line.hasPrefix("USAGE:") { return nil }
        let indent = line.prefix { $0 == " " }.count
        if indent == 0 { return (0, line) }
        if indent == helpColumn { return (helpColumn, line.dropFirst(indent)) }
        if indent == 2, line.count > helpColumn, line.dropFirst(helpColumn - 2).prefix(2) == "  ",
           line[line.index(line.startIndex, offsetBy: helpColumn)] != " " {
            return (helpColumn, line.dropFirst(helpColumn))
        }
        return nil
    }

    /// Problems of one rendered help text, as readable sentences.
    ///
    /// 1. A break mid-paragraph: two consecutive prose lines at the same column, the first not
    ///    ending a sentence or clause (`.`, `:`, `!`, `?`), the second starting lowercase, and
    ///    the second's first word would have fit on the first (ArgumentParser fills lines to
    ///    `columns - 1` characters) — so the break
    ///    is the source's, not ArgumentParser's wrapping.
    /// 2. A wrapped example: an indented (non-prose) line followed by a line at column 0 that
    ///    starts lowercase, where the first line is too long to take the next word — an example
    ///    line ArgumentParser had to wrap.
    static func problems(_ help: String, helpColumn: Int = 26) -> [String] {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for (a, b) in zip(lines, lines.dropFirst()) where !a.isEmpty && !b.isEmpty {
            let word = b.drop { $0 == " " }.prefix { $0 != " " }
            guard let first = word.first, first.isLowercase else { continue }
            // ArgumentParser fills lines to `columns - 1` characters.
            let fits = a.count + 1 + word.count <= columns - 1
            if let pa = prose(a, helpColumn: helpColumn), let pb = prose(b, helpColumn: helpColumn), pa.column == pb.column {
                if fits, let last = pa.text.last, !".:!?".contains(last) {
                    out.append("broken mid-sentence after “\(pa.text.suffix(30))” before “\(word)”")
                }
            } else if prose(a, helpColumn: helpColumn) == nil, a.hasPrefix("  "), b.first != " ", !fits {
                out.append("example line wrapped: “\(a.suffix(30))” / “\(b.prefix(30))”")
            }
        }
        return out
    }

    @Test func theCheckCatchesWhatItShould() {
        // A hard-wrapped paragraph, as `run --help` printed it before.
        #expect(Self.problems("names a source topic,\nhow to\ndecode its JSON records").count == 2)
        // ArgumentParser's own wrapping (the next word does not fit) is fine.
        let long = String(repeating: "word ", count: 15) + "last"  // 79 characters
        #expect(Self.problems(long + "\nnext words of the paragraph").isEmpty)
        // Example blocks are separate lines on purpose; a wrapped one is not.
        #expect(Self.problems("Examples:\n  shannon demo\n  shannon run x.yaml").isEmpty)
        #expect(Self.problems("  " + String(repeating: "x", count: 72) + " more\nwork").count == 1)
        // Option help: one logical line wrapped by ArgumentParser, or broken by hand.
        let row = "  --reset-state           Discard saved state whose"
        #expect(Self.problems(row + "\n                          configuration no longer matches.").count == 1)
        #expect(Self.problems("  --reset-state           Discard saved state whose stage configuration no\n                          longer matches the file.").isEmpty)
    }

    @Test func everyCommandsHelpReadsAsWritten() {
        let all = Self.commands()
        #expect(all.count >= 12)
        for (path, type) in all {
            let help = Shannon.helpMessage(for: type, columns: Self.columns)
            #expect(!help.isEmpty)
            let problems = Self.problems(help)
            #expect(problems.isEmpty, "`\(path) --help`:\n\(problems.joined(separator: "\n"))")
        }
    }
}
