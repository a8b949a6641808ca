import Testing
@testable import ShannonPipeline

@Test func fileFormatVersionIsOne() {
    #expect(ShannonPipeline.fileFormatVersion == 1)
}

import ShannonStats

/// A boundary stage with no params must run the parameter set measured on TCPD, not another.
@Test func boundaryStageDefaultsAreTheMeasuredParameterSet() {
    let fromFile = PipelinePlan.boundaryParameters(BoundaryParams())
    #expect(fromFile == BoundaryParameters.default)
}
