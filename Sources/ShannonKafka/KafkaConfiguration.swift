import CRdKafka

/// Builds an `rd_kafka_conf_t` from plain strings, so every librdkafka property (TLS, SASL,
/// timeouts, prefetch sizes) reaches librdkafka without Shannon knowing its name.
enum KafkaConfiguration {
    /// Returns an owned conf; on failure the conf is destroyed and librdkafka's own text is thrown.
    static func make(_ properties: [String: String], defaults: [String: String]) throws(KafkaError)
        -> OpaquePointer
    {
        let conf = rd_kafka_conf_new()!
        var merged = defaults
        for (k, v) in properties { merged[k] = v }
        // Sorted so that errors are deterministic when several properties are wrong.
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            var buffer = [CChar](repeating: 0, count: 512)
            let result = rd_kafka_conf_set(conf, key, value, &buffer, buffer.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let text = string(fromCBuffer: buffer)
                throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue,
                                 message: "configuration \(key)=\(value): \(text)")
            }
        }
        return conf
    }

    /// `rd_kafka_new` with librdkafka's error text on failure (it takes ownership of `conf` only on success).
    static func newClient(_ type: rd_kafka_type_t, conf: OpaquePointer) throws(KafkaError) -> OpaquePointer {
        var buffer = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(type, conf, &buffer, buffer.count) else {
            rd_kafka_conf_destroy(conf)
            let text = string(fromCBuffer: buffer)
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, message: "rd_kafka_new: \(text)")
        }
        return rk
    }
}

extension KafkaError {
    /// Takes ownership of an `rd_kafka_error_t` (destroys it).
    init(consuming error: OpaquePointer, context: String? = nil) {
        let code = rd_kafka_error_code(error)
        let text = String(cString: rd_kafka_error_string(error))
        rd_kafka_error_destroy(error)
        self.init(code: code.rawValue, message: context.map { "\($0): \(text)" } ?? text)
    }

    /// Throws unless `err` is `NO_ERROR`.
    static func check(_ err: rd_kafka_resp_err_t, _ context: @autoclosure () -> String) throws(KafkaError) {
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: context()) }
    }
}

/// The NUL-terminated text librdkafka wrote into an error buffer.
func string(fromCBuffer buffer: [CChar]) -> String {
    String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
