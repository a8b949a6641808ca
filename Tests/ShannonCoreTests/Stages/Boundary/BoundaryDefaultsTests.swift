import Testing
import ShannonStats
@testable import ShannonCore

/// A boundary stage with no params must run the parameter set measured on TCPD, not another.
@Test func boundaryStageDefaultsAreTheMeasuredParameterSet() {
    let fromFile = BoundaryParams().detectorParameters
    #expect(fromFile == BoundaryParameters.default)
}
