import Testing
import ShannonStats
@testable import ShannonCore

/// A boundary stage with no params must run the parameter set measured on TCPD, not another.
@Test func boundaryStageDefaultsAreTheMeasuredParameterSet() {
    let fromFile = PipelinePlan.boundaryParameters(BoundaryParams())
    #expect(fromFile == BoundaryParameters.default)
}
