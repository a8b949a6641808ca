/// ShannonPipeline: the pipeline model and its validation, decoding, windows, stage instances,
/// alert rules, checkpoints, and the run loop that ties them.
public enum ShannonPipeline {
    /// Version of the pipeline file format this build reads.
    public static let fileFormatVersion = 1
}
