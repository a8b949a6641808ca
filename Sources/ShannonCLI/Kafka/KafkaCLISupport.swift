import Foundation

// Small formatting helpers for the Kafka commands (prefixed to stay out of other families' way).

func kafkaFormat(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }

extension Duration {
    var kafkaSeconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
