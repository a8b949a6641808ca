import ArgumentParser
import Foundation
import ShannonCore
import ShannonDaemon
import ShannonStats

/// `shannon stats entropy`: windowed token entropy of a text field, as the stage computes it.
struct EntropyStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entropy",
        abstract: "Token entropy per window of a text field (plug-in, Miller–Madow, Chao–Shen, SE).",
        discussion: """
        Tokens come from FIELD of every record, tokenised and streamed across records in file order, then counted in windows of W tokens: tumbling without --hop, sliding (the last W tokens, a result every H tokens) with it. Tokens are split and hashed to 64-bit ids (FNV-1a) by the daemon's own tokenizer, so the figures are the ones an entropy stage reports. Entropies are in bits; `se_bits` is the delta-method SE of the plug-in value.

        Example:
          shannon stats entropy --data replies.jsonl --field text --window 500
          shannon stats entropy --data log.csv --field msg --window 1000 --hop 250
        """
    )

    @Option(help: "Input file: CSV with a header, or JSON lines.") var data: String
    @Option(help: "The text field to tokenise.") var field: String
    @Option(help: "whitespace (runs of non-space bytes), words (ASCII-lowercased letter/digit runs) or chars.") var tokenizer = "whitespace"
    @Option(help: "Tokens per window.") var window: Int
    @Option(help: "Sliding windows: emit every H tokens (omit for tumbling windows).") var hop: Int?
    @Option(help: "Cap on distinct tokens per window; more are folded into one `other` bucket.") var maxDistinct = 1 << 16
    @Option(help: "Known vocabulary size V: normalise by ln V instead of ln K.") var vocabulary: Int?
    @Option(help: "Output: json, csv or table.") var format = "json"

    func validate() throws {
        guard window >= 1 else { throw ValidationError("--window must be at least 1") }
        if let hop, hop < 1 { throw ValidationError("--hop must be at least 1") }
        guard Tokenizer(rawValue: tokenizer) != nil else { throw ValidationError("--tokenizer is whitespace, words or chars") }
        guard ["json", "csv", "table"].contains(format) else { throw ValidationError("--format is json, csv or table") }
        guard maxDistinct >= 1 else { throw ValidationError("--max-distinct must be at least 1") }
    }

    struct Row {
        var index: Int
        var start: Int
        var end: Int
        var result: EntropyResult
        var complete: Bool
    }

    func run() throws {
        let texts = try StatsTable.read(path: data).strings(field)
        let split = Tokenizer(rawValue: tokenizer)!
        var w = TokenWindow(size: window, kind: hop.map { .sliding(hop: $0) } ?? .tumbling, maxDistinct: maxDistinct)
        var rows: [Row] = []
        for case let text? in texts {
            for id in TokenScanner.ids(text, split) {
                if w.add(id) {
                    rows.append(Row(index: rows.count, start: w.position - window, end: w.position,
                                    result: w.result(vocabularySize: vocabulary), complete: true))
                }
            }
        }
        // A trailing partial tumbling window (or a sliding window that never filled) is reported,
        // marked incomplete, so short inputs still say something.
        if w.count > 0 && (hop == nil ? w.count < window : w.position < window) {
            rows.append(Row(index: rows.count, start: w.position - w.count, end: w.position,
                            result: w.result(vocabularySize: vocabulary), complete: false))
        }
        let capHit = w.counter.capHit
        switch format {
        case "csv":
            print("index,start,end,n,distinct,plug_in_bits,miller_madow_bits,chao_shen_bits,se_bits,normalised,capped,complete")
            for r in rows {
                let e = r.result
                print("\(r.index),\(r.start),\(r.end),\(e.n),\(e.distinct),\(e.plugInBits),\(e.millerMadowBits),\(e.chaoShenBits),\(e.seBits),\(e.normalised),\(e.capped),\(r.complete)")
            }
        case "table":
            print("window      start        n  distinct   plug-in  Miller-Madow  Chao-Shen      SE  (bits)")
            for r in rows {
                let e = r.result
                print(String(format: "%6d %10d %8d %9d %9.4f %13.4f %10.4f %7.4f%@", r.index, r.start, e.n, e.distinct,
                             e.plugInBits, e.millerMadowBits, e.chaoShenBits, e.seBits,
                             (e.capped ? " capped" : "") + (r.complete ? "" : " partial")))
            }
        default:
            let windows = rows.map { r -> JSONValue in
                let e = r.result
                return .fields([
                    ("index", .integer(r.index)), ("start", .integer(r.start)), ("end", .integer(r.end)),
                    ("n", .integer(e.n)), ("distinct", .integer(e.distinct)), ("singletons", .integer(e.singletons)),
                    ("plug_in_bits", .number(e.plugInBits)), ("miller_madow_bits", .number(e.millerMadowBits)),
                    ("chao_shen_bits", .number(e.chaoShenBits)), ("se_bits", .number(e.seBits)),
                    ("normalised", .number(e.normalised)), ("capped", .bool(e.capped)), ("complete", .bool(r.complete)),
                ])
            }
            print(StatsOutput.json(.fields([
                ("field", .string(field)), ("tokenizer", .string(tokenizer)), ("window", .integer(window)),
                ("hop", hop.map { .integer($0) } ?? .null), ("tokens", .integer(w.position)), ("cap_hit", .bool(capHit)),
                ("windows", .array(windows)),
            ])))
        }
    }
}
