import Testing
@testable import ShannonPipeline

@Test func fileFormatVersionIsOne() {
    #expect(ShannonPipeline.fileFormatVersion == 1)
}
