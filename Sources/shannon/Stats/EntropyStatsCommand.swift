import ArgumentParser
import Foundation
import ShannonStats

/// `shannon stats entropy`: windowed token entropy of a text field, as the stage computes it.
struct EntropyStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entropy",
        abstract: "Token entropy per window of a text field (plug-in, Miller–Madow, Chao–Shen, SE).",
        discussion: """
        Tokens come from FIELD of every record, tokenised and streamed across records in file order, then counted in windows of W tokens: tumbling without --hop, sliding (the last W tokens, a result every H tokens) with it. Tokens are hashed to 64-bit ids (FNV-1a), as in the daemon. Entropies are in bits; `se_bits` is the delta-method SE of the plug-in value.

        Example:
          shannon stats entropy --data replies.jsonl --field text --window 500
          shannon stats entropy --data log.csv --field msg --window 1000 --hop 250
        """
    )

    @Option(help: "Input file: CSV with a header, or JSON lines.") var data: String
    @Option(help: "The text field to tokenise.") var field: String
    @Option(help: "whitespace (split on spaces) or words (lowercased letter/digit runs).") var tokenizer = "whitespace"
    @Option(help: "Tokens per window.") var window: Int
    @Option(help: "Sliding windows: emit every H tokens (omit for tumbling windows).") var hop: Int?
    @Option(help: "Cap on distinct tokens per window; more are folded into one `other` bucket.") var maxDistinct = 1 << 16
    @Option(help: "Known vocabulary size V: normalise by ln V instead of ln K.") var vocabulary: Int?
    @Option(help: "Output: json, csv or table.") var format = "json"

    func validate() throws {
        guard window >= 1 else { throw ValidationError("--window must be at least 1") }
        if let hop, hop < 1 { throw ValidationError("--hop must be at least 1") }
        guard ["whitespace", "words"].contains(tokenizer) else { throw ValidationError("--tokenizer is whitespace or words") }
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
        let table = try EntropyIO.readTable(path: data)
        let column = try table.column(field)
        var w = TokenWindow(size: window, kind: hop.map { .sliding(hop: $0) } ?? .tumbling, maxDistinct: maxDistinct)
        var rows: [Row] = []
        for record in table.rows {
            guard let text = record[column] else { continue }
            for token in EntropyIO.tokens(text, tokenizer: tokenizer) {
                if w.add(TokenHash.fnv1a64(token)) {
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
            let windows = rows.map { r in
                let e = r.result
                return EntropyJSON.object([
                    ("index", "\(r.index)"), ("start", "\(r.start)"), ("end", "\(r.end)"),
                    ("n", "\(e.n)"), ("distinct", "\(e.distinct)"), ("singletons", "\(e.singletons)"),
                    ("plug_in_bits", EntropyJSON.number(e.plugInBits)),
                    ("miller_madow_bits", EntropyJSON.number(e.millerMadowBits)),
                    ("chao_shen_bits", EntropyJSON.number(e.chaoShenBits)),
                    ("se_bits", EntropyJSON.number(e.seBits)),
                    ("normalised", EntropyJSON.number(e.normalised)),
                    ("capped", "\(e.capped)"), ("complete", "\(r.complete)"),
                ])
            }
            print(EntropyJSON.object([
                ("field", EntropyJSON.string(field)), ("tokenizer", EntropyJSON.string(tokenizer)),
                ("window", "\(window)"), ("hop", hop.map { "\($0)" } ?? "null"),
                ("tokens", "\(w.position)"), ("cap_hit", "\(capHit)"),
                ("windows", "[" + (windows.isEmpty ? "" : "\n  " + windows.joined(separator: ",\n  ") + "\n") + "]"),
            ]))
        }
    }
}
