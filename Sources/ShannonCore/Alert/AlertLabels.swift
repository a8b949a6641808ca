import ShannonStats

/// Alert labels and their fingerprint, after Prometheus and Alertmanager.
///
/// A stage's `labels:` are copied into each of its alerts so that whatever routes alerts (an
/// Alertmanager bridge, a rule in the consumer) can match on team, service or runbook without
/// knowing pipeline names. The fingerprint names one alert *series*: the same (pipeline, stage,
/// key, labels) always gives the same fingerprint, across windows, firings and resolutions,
/// which is what Alertmanager groups and de-duplicates by. The alert `id` names one alert.
public enum AlertLabels {
    /// Names the fingerprint adds from the alert itself; a `labels:` map may not use them
    /// (Alertmanager's label set likewise carries the alert's own identity, `alertname` and the
    /// series labels).
    public static let reserved: Set<String> = ["pipeline", "stage", "key"]

    /// Prometheus' label-name rule: `[a-zA-Z_][a-zA-Z0-9_]*`, and not starting with `__`
    /// (reserved for internal use there).
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !name.hasPrefix("__") else { return false }
        func letter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 }
        return letter(first) && name.utf8.allSatisfy { letter($0) || ($0 >= 48 && $0 <= 57) }
    }

    /// 16 hex digits: FNV-1a 64 over the label pairs sorted by name, each name and value
    /// followed by a 0xFF byte — the algorithm of Prometheus' `LabelSet.Fingerprint` (0xFF
    /// cannot occur in UTF-8, so no two label sets share an input). The set is `labels` plus
    /// `pipeline`, `stage` and `key`.
    public static func fingerprint(pipeline: String, stage: String, key: String, labels: [String: String]) -> String {
        var all = labels
        all["pipeline"] = pipeline
        all["stage"] = stage
        all["key"] = key
        return hex(fnv1a64(all))
    }

    /// The Prometheus label-set signature of `labels` (exposed for tests against a reference).
    public static func fnv1a64(_ labels: [String: String]) -> UInt64 {
        var bytes: [UInt8] = []
        for name in labels.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            bytes.append(contentsOf: name.utf8)
            bytes.append(0xFF)
            bytes.append(contentsOf: labels[name]!.utf8)
            bytes.append(0xFF)
        }
        return bytes.withUnsafeBytes { TokenHash.fnv1a64($0) }
    }

    /// Labels in a stable text form (sorted), for configuration fingerprints and messages.
    public static func canonical(_ labels: [String: String]) -> String {
        "{" + labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: ",") + "}"
    }

    static func hex(_ v: UInt64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { out[15 - i] = digits[Int((v >> (4 * UInt64(i))) & 0xF)] }
        return String(decoding: out, as: UTF8.self)
    }
}
