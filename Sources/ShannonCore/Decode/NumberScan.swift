/// Tells a number simdjson refused because it is out of range (`1e400`, or an integer beyond
/// 64 bits: a `not_finite` record) from a malformed one (`01`, `1.`: `malformed_json`).
/// Runs only after a failed parse, so it may be slow.
enum NumberScan {
    static func hasOutOfRangeNumber(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = bytes.count
        var inString = false
        while i < n {
            let b = bytes[i]
            if inString {
                if b == UInt8(ascii: "\\") { i += 2; continue }
                if b == UInt8(ascii: "\"") { inString = false }
                i += 1
                continue
            }
            if b == UInt8(ascii: "\"") { inString = true; i += 1; continue }
            if b == UInt8(ascii: "-") || (b >= 48 && b <= 57) {
                var j = i + 1
                while j < n, isNumberByte(bytes[j]) { j += 1 }
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[i..<j]), as: UTF8.self)
                if isJSONNumber(text), let v = Double(text) {
                    if !v.isFinite { return true }
                    // simdjson also refuses integers beyond 64 bits.
                    let integral = !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
                    if integral, Int64(text) == nil, UInt64(text) == nil { return true }
                }
                i = j
                continue
            }
            i += 1
        }
        return false
    }

    private static func isNumberByte(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
            || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
    }

    /// The JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    private static func isJSONNumber(_ s: String) -> Bool {
        var it = Array(s.utf8)[...]
        func digits() -> Int {
            var k = 0
            while let c = it.first, c >= 48, c <= 57 { it = it.dropFirst(); k += 1 }
            return k
        }
        if it.first == UInt8(ascii: "-") { it = it.dropFirst() }
        if it.first == 48 { it = it.dropFirst() } else if digits() == 0 { return false }
        if it.first == UInt8(ascii: ".") { it = it.dropFirst(); if digits() == 0 { return false } }
        if let c = it.first, c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            it = it.dropFirst()
            if let s = it.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { it = it.dropFirst() }
            if digits() == 0 { return false }
        }
        return it.isEmpty
    }
}
