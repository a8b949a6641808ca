import Foundation

/// The record sent to the dead-letter topic (schemas/dead-letter.schema.json): the original
/// bytes, where they came from and why they were rejected, so nothing is lost and a user can
/// replay or fix them.
enum DeadLetter {
    static func json(pipeline: String, topic: String, partition: Int32, offset: Int64, reason: DeadLetterReason,
                     detail: String, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer, now: Int64) -> [UInt8] {
        var w = JSONWriter(capacity: value.count + 256)
        w.beginObject()
        w.field("pipeline", pipeline)
        w.field("topic", topic)
        w.field("partition", Int64(partition))
        w.field("offset", offset)
        w.field("reason", reason.rawValue)
        w.field("detail", detail)
        let bytes = Array(value)
        if let text = String(validating: bytes, as: UTF8.self) {
            w.field("value_text", text)
        } else {
            w.field("value_base64", Data(bytes).base64EncodedString())
        }
        w.field("key_base64", key.map { Data(Array($0)).base64EncodedString() })
        w.field("time", now)
        w.endObject()
        return w.bytes
    }
}
