import ShannonStats

/// Splits token strings inside a record into token ids: FNV-1a 64 of each token's UTF-8 bytes,
/// the same function as ShannonStats' `TokenHash` and as `csj_fnv1a64`, which hashes array
/// tokens on the C side. Stable across runs, so ids can live in checkpoints.
public enum TokenScanner {
    static let offsetBasis = TokenHash.offsetBasis
    static let prime = TokenHash.prime

    /// The token ids of `text`, exactly as the decoder computes them for a `tokens` field with
    /// this tokenizer (for reference files and `shannon stats entropy`; allocates).
    public static func ids(_ text: String, _ tokenizer: Tokenizer) -> [UInt64] {
        var text = text
        return text.withUTF8 { utf8 in
            var out = [UInt64](repeating: 0, count: utf8.count + 1)
            let n = out.withUnsafeMutableBufferPointer { tokenize(UnsafeRawBufferPointer(utf8), tokenizer, into: $0.baseAddress!) }
            out.removeSubrange(n...)
            return out
        }
    }

    /// Splits `bytes` (valid UTF-8) into tokens and writes their ids to `out` (capacity must be
    /// at least `bytes.count`, the worst case). Returns the number of tokens.
    @inline(__always)
    static func tokenize(_ bytes: UnsafeRawBufferPointer, _ tokenizer: Tokenizer,
                         into out: UnsafeMutablePointer<UInt64>) -> Int {
        var n = 0
        switch tokenizer {
        case .whitespace:
            var h = offsetBasis
            var inToken = false
            for b in bytes {
                if b == 0x20 || (b >= 0x09 && b <= 0x0d) {
                    if inToken { out[n] = h; n += 1; inToken = false; h = offsetBasis }
                } else {
                    h = (h ^ UInt64(b)) &* prime
                    inToken = true
                }
            }
            if inToken { out[n] = h; n += 1 }
        case .words:
            var h = offsetBasis
            var inToken = false
            for b in bytes {
                let lower = b | 0x20
                let isWord = (b >= 0x30 && b <= 0x39) || (lower >= 0x61 && lower <= 0x7a) || b >= 0x80
                if isWord {
                    let folded = (b >= 0x41 && b <= 0x5a) ? lower : b
                    h = (h ^ UInt64(folded)) &* prime
                    inToken = true
                } else if inToken {
                    out[n] = h; n += 1; inToken = false; h = offsetBasis
                }
            }
            if inToken { out[n] = h; n += 1 }
        case .chars:
            var i = 0
            let count = bytes.count
            while i < count {
                let lead = bytes[i]
                let length = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4
                var h = offsetBasis
                var j = i
                let end = min(i + length, count)
                while j < end { h = (h ^ UInt64(bytes[j])) &* prime; j += 1 }
                out[n] = h
                n += 1
                i = end
            }
        }
        return n
    }
}
