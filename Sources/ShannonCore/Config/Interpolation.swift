/// `${NAME}` / `${NAME:-default}` substitution in scalar values, so secrets and addresses stay
/// out of committed files. `$${` writes a literal `${`.
enum Interpolation {
    enum Failure: Error, Equatable {
        /// Unset variable without a default, at this UTF-8 offset of the scalar.
        case unset(name: String, offset: Int)
        /// `${` without a closing `}` or with a bad name.
        case malformed(offset: Int)
    }

    /// The text with every reference replaced, or the first failure.
    static func apply(_ text: String, environment: [String: String]) -> Result<String, Failure> {
        let bytes = Array(text.utf8)
        guard bytes.contains(UInt8(ascii: "$")) else { return .success(text) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "$"), i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "$"),
               bytes[i + 2] == UInt8(ascii: "{") {
                out.append(contentsOf: Array("${".utf8))
                i += 3
                continue
            }
            guard b == UInt8(ascii: "$"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{") else {
                out.append(b)
                i += 1
                continue
            }
            guard let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: "}")) else {
                return .failure(.malformed(offset: i))
            }
            let inner = String(decoding: bytes[(i + 2)..<close], as: UTF8.self)
            let name: String
            var fallback: String?
            if let range = inner.range(of: ":-") {
                name = String(inner[..<range.lowerBound])
                fallback = String(inner[range.upperBound...])
            } else {
                name = inner
            }
            guard isName(name) else { return .failure(.malformed(offset: i)) }
            if let value = environment[name], !(value.isEmpty && fallback != nil) {
                out.append(contentsOf: Array(value.utf8))
            } else if let fallback {
                out.append(contentsOf: Array(fallback.utf8))
            } else {
                return .failure(.unset(name: name, offset: i))
            }
            i = close + 1
        }
        return .success(String(decoding: out, as: UTF8.self))
    }

    private static func isName(_ s: String) -> Bool {
        guard let first = s.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return s.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || ($0 >= 48 && $0 <= 57) }
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 97 && (b | 0x20) <= 122 }
}
