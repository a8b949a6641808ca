/// Stable 64-bit token ids for text tokens.
///
/// The statistics count integer ids; whoever tokenises (the decoder, the CLI) maps each token's
/// UTF-8 bytes to an id with FNV-1a 64. It is stable across runs, platforms and releases (unlike
/// Swift's seeded `Hasher`), so ids in a checkpoint stay meaningful after a restart. Collisions are
/// possible but, at 64 bits, irrelevant for vocabularies of realistic size (~2^-40 for 10^6 tokens).
public enum TokenHash {
    public static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// FNV-1a 64 of raw bytes.
    @inlinable
    public static func fnv1a64(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = offsetBasis
        for b in bytes { h = (h ^ UInt64(b)) &* prime }
        return h
    }

    /// FNV-1a 64 of raw bytes (e.g. a Kafka key or a JSON string inside a record).
    @inlinable
    public static func fnv1a64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = offsetBasis
        for b in bytes { h = (h ^ UInt64(b)) &* prime }
        return h
    }

    /// FNV-1a 64 of a string's UTF-8 bytes.
    @inlinable
    public static func fnv1a64<S: StringProtocol>(_ s: S) -> UInt64 {
        var h = offsetBasis
        for b in s.utf8 { h = (h ^ UInt64(b)) &* prime }
        return h
    }
}
