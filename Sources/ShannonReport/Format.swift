import Foundation

/// Text for people and for markup: numbers, UTC times, and escaping.
enum Format {
    /// Four significant digits, no trailing zeros ("0.2513", "12.5", "1.2e-05"); NaN and
    /// infinities spelled out.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+inf" : "-inf" }
        if v == 0 { return "0" }
        return String(format: "%.4g", v)
    }

    /// A tick label: as many decimals as the tick step needs, so 0.05, 0.10, 0.15 all read alike.
    static func tick(_ v: Double, step: Double) -> String {
        let decimals = max(0, min(12, Int((-log10(step)).rounded(.up))))
        let scale = abs(v) + step
        if scale >= 1e6 || scale < 1e-4 { return String(format: "%.2g", v) }
        let s = String(format: "%.\(decimals)f", v)
        return s == "-0" || s.hasPrefix("-0.") && Double(s) == 0 ? String(s.dropFirst()) : s
    }

    /// A pixel coordinate: one decimal is a tenth of a pixel, plenty, and keeps the SVG small.
    static func px(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Epoch milliseconds as `YYYY-MM-DD HH:MM:SS` UTC (with `.mmm` when not a whole second).
    static func utc(_ ms: Int64, seconds: Bool = true) -> String {
        let (days, msOfDay) = ms.quotientAndRemainder(dividingBy: 86_400_000)
        let d = msOfDay < 0 ? days - 1 : days
        let m = msOfDay < 0 ? msOfDay + 86_400_000 : msOfDay
        let (y, mo, da) = civil(fromDays: d)
        let h = m / 3_600_000, mi = m / 60_000 % 60, s = m / 1000 % 60, frac = m % 1000
        var text = "\(y)-\(pad(mo))-\(pad(da)) \(pad(h)):\(pad(mi))"
        if seconds { text += ":\(pad(s))" + (frac != 0 ? "." + String(format: "%03d", Int(frac)) : "") }
        return text
    }

    /// Howard Hinnant's days-from-civil inverse: proleptic Gregorian (year, month, day) of a day
    /// number counted from 1970-01-01.
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// Text safe inside HTML or SVG element content and inside quoted attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab/newline are not allowed in XML (SVG) text.
                if c.value < 0x20 && c != "\t" && c != "\n" { out += "\u{FFFD}" } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    /// 10000 → "10,000".
    static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }
}
