/// The record of the optional windows sink: one closed window's figures, whether or not it
/// alerted — what `shannon report` draws. An evicted key's partial window carries `"evicted"`
/// (`max_keys` or `idle`): its figures cover fewer records than a whole window.
enum WindowRecord {
    static func write(_ e: StageEmission, pipeline: String, to w: inout JSONWriter) {
        w.beginObject()
        w.field("pipeline", pipeline)
        w.field("stage", e.stage)
        w.field("stage_type", e.stageType.rawValue)
        w.field("key", e.key)
        if let cause = e.evicted { w.field("evicted", cause.rawValue) }
        w.key("window")
        w.beginObject()
        w.field("topic", e.window.topic)
        w.field("partition", Int64(e.window.partition))
        w.field("start_offset", e.window.startOffset)
        w.field("end_offset", e.window.endOffset)
        w.field("start_time", e.window.startTime)
        w.field("end_time", e.window.endTime)
        w.field("records", e.window.records)
        w.endObject()
        w.key("figures")
        w.beginObject()
        for f in e.report.figures { w.field(f.name, f.value) }
        w.endObject()
        w.field("detail", e.report.detail)
        w.endObject()
    }
}
