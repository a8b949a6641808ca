/// A 64-bit fingerprint of a stage's configuration, stored in every checkpoint.
///
/// The run loop feeds a canonical text of everything that changes the meaning of a stage's state
/// (type, input fields, window, params, reference data) and compares the result with the
/// checkpoint's. A mismatch means the saved state would be read under a different configuration,
/// so the daemon refuses to start instead of mixing two distributions (unless `--reset-state`).
/// FNV-1a is enough: this detects edits, it is not a defence against an adversary.
public enum ConfigFingerprint {
    public static func of(_ canonical: String) -> UInt64 {
        of(bytes: canonical.utf8)
    }

    public static func of<S: Sequence>(bytes: S) -> UInt64 where S.Element == UInt8 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01B3
        }
        return h
    }
}
