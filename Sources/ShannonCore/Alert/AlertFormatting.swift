import Foundation

/// One readable line per alert, for `shannon alerts` and the demo.
public enum AlertFormatting {
    public static let header = "STATE     SEVERITY  PIPELINE/STAGE                      KEY           VALUE                         WINDOW"

    public static func line(_ a: Alert) -> String {
        let state = a.state == .firing ? "FIRING" : "resolved"
        var value = "\(a.metric)=\(short(a.value))"
        if let se = a.se, se.isFinite { value += " ±\(short(se))" }
        if let p = a.pValue { value += p == 0 ? " p<1e-300" : " p=\(short(p))" }
        let window = "\(a.window.topic)[\(a.window.partition)] @\(a.window.startOffset)..\(a.window.endOffset)"
        return pad(state, 9) + " " + pad(a.severity, 9) + " " + pad("\(a.pipeline)/\(a.stage)", 35) + " "
            + pad(a.key.isEmpty ? "-" : a.key, 13) + " " + pad(value, 29) + " " + window
    }

    /// Four significant digits, scientific for tiny or huge values.
    public static func short(_ x: Double) -> String {
        if !x.isFinite { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        if x != 0 && (abs(x) < 1e-3 || abs(x) >= 1e6) { return String(format: "%.3g", x) }
        return String(format: "%.4g", x)
    }

    static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s : s + String(repeating: " ", count: n - s.count)
    }
}
