import CRdKafka
import Logging

// librdkafka's C callbacks. A C function pointer cannot capture context, so each one is a
// global `let` of `@convention(c)` type and finds its client through the conf opaque
// (`ClientState`). They live in this library module, not in `main.swift`, whose globals are
// main-actor isolated.

/// syslog levels (0 emerg … 7 debug) onto swift-log.
func logLevel(syslog level: Int32) -> Logger.Level {
    switch level {
    case ...2: return .critical
    case 3: return .error
    case 4: return .warning
    case 5: return .notice
    case 6: return .info
    default: return .debug
    }
}

let kafkaLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    rk, level, facility, line in
    guard let rk, let state = ClientState.from(rd_kafka_opaque(rk)) else { return }
    let fac = facility.map { String(cString: $0) } ?? "?"
    let text = line.map { String(cString: $0) } ?? ""
    state.logger.log(level: logLevel(syslog: level), "\(text)", metadata: ["facility": "\(fac)"])
}

let kafkaErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
    rk, err, reason, opaque in
    guard let state = ClientState.from(opaque) else { return }
    let code = rd_kafka_resp_err_t(rawValue: err)
    let text = reason.map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(code))
    let error = KafkaError(code: err, message: text)
    if code == RD_KAFKA_RESP_ERR__FATAL {
        state.fatal.store(true, ordering: .releasing)
        state.logger.critical("librdkafka fatal error: \(text)")
    } else {
        // Most of these (_TRANSPORT, _ALL_BROKERS_DOWN) are informational: librdkafka retries.
        state.logger.warning("librdkafka: \(error)")
    }
    state.record(error)
}

let kafkaStatsCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int, UnsafeMutableRawPointer?) -> Int32 = {
    _, json, length, opaque in
    guard let state = ClientState.from(opaque), let json else { return 0 }
    let text = UnsafeRawBufferPointer(start: json, count: length)
    state.setStatistics(String(decoding: text, as: UTF8.self))
    return 0  // librdkafka frees the buffer
}

let kafkaDeliveryCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
    _, message, opaque in
    guard let state = ClientState.from(opaque), let message else { return }
    state.record(DeliveryReport(message))
}

let kafkaRebalanceCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = {
    rk, err, partitions, opaque in
    guard let state = ClientState.from(opaque), let hook = state.pollThread.onRebalance else {
        // No consumer attached (a consumer being destroyed): do what librdkafka would do.
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        if err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
            if cooperative { rd_kafka_incremental_assign(rk, partitions).map { rd_kafka_error_destroy($0) } }
            else { rd_kafka_assign(rk, partitions) }
        } else {
            if cooperative { rd_kafka_incremental_unassign(rk, partitions).map { rd_kafka_error_destroy($0) } }
            else { rd_kafka_assign(rk, nil) }
        }
        return
    }
    hook(err, partitions)
}

let kafkaCommitCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = {
    _, err, offsets, opaque in
    guard let state = ClientState.from(opaque) else { return }
    // _NO_OFFSET means "nothing stored to commit": not a failure.
    if err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET {
        let error = KafkaError(err, context: "offset commit")
        state.logger.warning("\(error)")
        state.record(error)
        return
    }
    for (tp, _, e) in PartitionList.elements(of: UnsafePointer(offsets)) where e != RD_KAFKA_RESP_ERR_NO_ERROR {
        let error = KafkaError(e, context: "offset commit \(tp)")
        state.logger.warning("\(error)")
        state.record(error)
    }
}
