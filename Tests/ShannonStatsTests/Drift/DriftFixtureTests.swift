import Testing
@testable import ShannonStats

/// PSI, WoE/IV and group divergence against the numpy reference (Fixtures/drift/generate.py):
/// edges from np.quantile, counts from np.searchsorted, figures from the formulas.
@Suite struct DriftFixtureTests {
    typealias F = DriftFixtures
    let tolerance = 1e-9

    func binning(_ c: F.Object, sample: [Double], missing: Bool = false) throws -> Binning {
        if let explicit = c["explicit_edges"] as? [Any] {
            return try Binning(edges: explicit.map(F.double), missingBin: missing)
        }
        return try Binning(quantilesOf: sample, bins: F.int(c["bins"]), missingBin: missing)
    }

    @Test func psiMatchesNumpy() throws {
        let cases = F.cases("psi")
        #expect(cases.count >= 15)
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let reference = F.doubles(c["reference"])
            let current = F.doubles(c["current"])
            let bins = try binning(c, sample: reference, missing: c["missing_bin"] as? Bool ?? false)
            // Edges must agree exactly: a one-ulp difference would move records between bins.
            #expect(bins.edges == F.doubles(c["edges"]), "\(name): edges")
            var psi = PSIAccumulator(binning: bins, referenceSample: reference)
            for x in current { psi.add(x) }
            let r = psi.result(smoothing: F.double(c["smoothing"]), fixedReference: c["fixed_reference"] as? Bool ?? false,
                               confidence: F.double(c["confidence"]))
            #expect(r.bins.map(\.countQ) == F.doubles(c["reference_counts"]), "\(name): reference counts")
            #expect(r.bins.map(\.countP) == F.doubles(c["current_counts"]), "\(name): current counts")
            #expect(close(r.bins.map(\.q), F.doubles(c["q"]), absolute: tolerance), "\(name): q")
            #expect(close(r.bins.map(\.p), F.doubles(c["p"]), absolute: tolerance), "\(name): p")
            #expect(close(r.bins.map(\.contribution), F.doubles(c["contributions"]), absolute: tolerance), "\(name): contributions")
            #expect(close(r.psi, F.double(c["psi"]), absolute: tolerance), "\(name): psi \(r.psi)")
            #expect(close(r.se, F.double(c["se"]), absolute: tolerance), "\(name): se \(r.se)")
            #expect(close(r.seDelta, F.double(c["se_delta"]), absolute: tolerance), "\(name): se_delta")
            #expect(close(r.ciLow, F.double(c["ci_low"]), absolute: tolerance), "\(name): ci_low")
            #expect(close(r.ciHigh, F.double(c["ci_high"]), absolute: tolerance), "\(name): ci_high")
            #expect(r.df == F.int(c["df"]), "\(name): df")
            let t = F.double(c["statistic"])
            #expect(close(r.statistic, t, absolute: 1e-9 * max(1, abs(t))), "\(name): statistic")
            let pv = F.double(c["p_value"])
            #expect(pv > 1e-300 ? relativeError(r.pValue, pv) <= 1e-10 : r.pValue <= 1e-300, "\(name): p \(r.pValue) vs \(pv)")
        }
    }

    @Test func ivAndWoEMatchNumpy() throws {
        let cases = F.cases("iv")
        #expect(cases.count >= 4)
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let x = F.doubles(c["x"])
            let bad = c["bad"] as? [Bool] ?? []
            let bins = try binning(c, sample: x)
            #expect(bins.edges == F.doubles(c["edges"]), "\(name): edges")
            var woe = WoEAccumulator(binning: bins)
            for (v, b) in zip(x, bad) { woe.add(v, isBad: b) }
            let r = woe.result(smoothing: F.double(c["smoothing"]), confidence: F.double(c["confidence"]))
            #expect(r.bins.map { Double($0.goods) } == F.doubles(c["goods"]), "\(name): goods")
            #expect(r.bins.map { Double($0.bads) } == F.doubles(c["bads"]), "\(name): bads")
            #expect(close(r.bins.map(\.g), F.doubles(c["g"]), absolute: tolerance), "\(name): g")
            #expect(close(r.bins.map(\.b), F.doubles(c["b"]), absolute: tolerance), "\(name): b")
            #expect(close(r.bins.map(\.woe), F.doubles(c["woe"]), absolute: tolerance), "\(name): woe")
            #expect(close(r.bins.map(\.woeSE), F.doubles(c["woe_se"]), absolute: tolerance), "\(name): woe se")
            #expect(close(r.bins.map(\.contribution), F.doubles(c["contributions"]), absolute: tolerance), "\(name): contributions")
            #expect(close(r.iv, F.double(c["iv"]), absolute: tolerance), "\(name): iv \(r.iv)")
            #expect(close(r.se, F.double(c["se"]), absolute: tolerance), "\(name): se")
            #expect(close(r.seDelta, F.double(c["se_delta"]), absolute: tolerance), "\(name): se_delta")
            #expect(close(r.ciLow, F.double(c["ci_low"]), absolute: tolerance), "\(name): ci_low")
            #expect(close(r.ciHigh, F.double(c["ci_high"]), absolute: tolerance), "\(name): ci_high")
            #expect(r.df == F.int(c["df"]), "\(name): df")
            let pv = F.double(c["p_value"])
            #expect(pv > 1e-300 ? relativeError(r.pValue, pv) <= 1e-10 : r.pValue <= 1e-300, "\(name): p \(r.pValue) vs \(pv)")
        }
    }

    @Test func groupDivergenceMatchesNumpy() throws {
        let cases = F.cases("groups")
        #expect(cases.count >= 2)
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let x = F.doubles(c["x"])
            let group = (c["group"] as? [Int]) ?? []
            let bins = try Binning(quantilesOf: x, bins: F.int(c["bins"]))
            #expect(bins.edges == F.doubles(c["edges"]), "\(name): edges")
            var acc = GroupDivergenceAccumulator(binning: bins)
            for (v, g) in zip(x, group) {
                let counted = acc.add(v, group: g)
                #expect(counted)
            }
            let r = acc.result(smoothing: F.double(c["smoothing"]), confidence: F.double(c["confidence"]))
            #expect(r.bins.map(\.countP) == F.doubles(c["count1"]), "\(name): group 1 counts")
            #expect(r.bins.map(\.countQ) == F.doubles(c["count0"]), "\(name): group 0 counts")
            #expect(close(r.divergence, F.double(c["divergence"]), absolute: tolerance), "\(name): divergence")
            #expect(close(r.se, F.double(c["se"]), absolute: tolerance), "\(name): se")
            #expect(close(r.seDelta, F.double(c["se_delta"]), absolute: tolerance), "\(name): se_delta")
            #expect(close(r.ciLow, F.double(c["ci_low"]), absolute: tolerance), "\(name): ci_low")
            #expect(close(r.ciHigh, F.double(c["ci_high"]), absolute: tolerance), "\(name): ci_high")
            #expect(r.df == F.int(c["df"]), "\(name): df")
            #expect(relativeError(r.pValue, F.double(c["p_value"])) <= 1e-10, "\(name): p")
        }
    }
}
