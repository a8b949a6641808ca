extension BoundaryParameters {
    func encode(to w: inout StateWriter) {
        switch anticipator {
        case .last: w.write(UInt8(0)); w.write(0.0)
        case let .mean(l): w.write(UInt8(1)); w.write(Double(l))
        case let .ewma(a): w.write(UInt8(2)); w.write(a)
        case let .linear(l): w.write(UInt8(3)); w.write(Double(l))
        }
        switch error {
        case .cosine: w.write(UInt8(0))
        case .standardisedAbsolute: w.write(UInt8(1))
        case .standardisedSquared: w.write(UInt8(2))
        }
        switch test {
        case let .gaussian(tau): w.write(UInt8(0)); w.write(tau)
        case let .studentT(alpha): w.write(UInt8(1)); w.write(alpha)
        }
        w.write(nMin)
        w.write(kMax)
        w.write(sigmaFloor)
        w.write(refractoryGap)
        w.write(UInt8(scale == .meanAbsolute ? 1 : 0))
        w.write(cusum != nil)
        w.write(cusum?.drift ?? 0)
        w.write(cusum?.threshold ?? 0)
        w.write(keepErrors)
    }

    /// Version 1 records end after the gap: RMS scale, no CUSUM.
    init(from r: inout StateReader, version: UInt16) throws {
        let a = try r.read(UInt8.self)
        let ap = try r.readDouble()
        func length() throws -> Int {
            guard ap >= 1, ap <= 65536, ap == ap.rounded() else { throw StateDecodingError.invalid("anticipator length \(ap)") }
            return Int(ap)
        }
        let anticipator: Anticipator
        switch a {
        case 0: anticipator = .last
        case 1: anticipator = .mean(length: try length())
        case 2: anticipator = .ewma(alpha: ap)
        case 3: anticipator = .linear(length: try length())
        default: throw StateDecodingError.invalid("anticipator \(a)")
        }
        let error: PredictionErrorKind
        switch try r.read(UInt8.self) {
        case 0: error = .cosine
        case 1: error = .standardisedAbsolute
        case 2: error = .standardisedSquared
        case let k: throw StateDecodingError.invalid("error kind \(k)")
        }
        let t = try r.read(UInt8.self)
        let tp = try r.readDouble()
        let test: BoundaryTest
        switch t {
        case 0: test = .gaussian(tau: tp)
        case 1: test = .studentT(alpha: tp)
        default: throw StateDecodingError.invalid("test kind \(t)")
        }
        self.init(anticipator: anticipator, error: error, test: test,
                  nMin: try r.readCount(limit: 1 << 20), kMax: try r.readCount(limit: 1 << 20),
                  sigmaFloor: try r.readDouble(), refractoryGap: try r.readCount())
        if version >= 2 {
            switch try r.read(UInt8.self) {
            case 0: scale = .rootMeanSquare
            case 1: scale = .meanAbsolute
            case let k: throw StateDecodingError.invalid("scale kind \(k)")
            }
            let hasCusum = try r.readBool()
            let drift = try r.readDouble()
            let threshold = try r.readDouble()
            if hasCusum {
                cusum = Cusum(drift: drift, threshold: threshold)
            } else if drift != 0 || threshold != 0 {
                throw StateDecodingError.invalid("CUSUM values without a CUSUM")
            }
        }
        if version >= 3 { keepErrors = try r.readBool() }
        if let problem { throw StateDecodingError.invalid(problem) }
    }
}

extension EventBoundaryDetector: StateCodable {
    public static let stateTag = StateTag("GEBD")

    /// Writes every buffer whole (unused slots included) so a decoded detector continues
    /// bit-for-bit like the one that was saved.
    public func encode(to w: inout StateWriter) {
        w.beginRecord(Self.stateTag, version: 3)
        w.write(dimension)
        parameters.encode(to: &w)
        w.write(position)
        w.write(eventStart)
        w.write(lastBoundary)
        w.write(contextCount)
        w.write(contextHead)
        w.write(context)
        w.write(scaleCount)
        w.write(scale)
        w.write(hasPrevious)
        w.write(previous)
        w.write(memory.count)
        w.write(memory.head)
        w.write(memory.mean)
        w.write(memory.m2)
        w.write(memory.removals)
        w.write(memory.values)
        w.write(cusumSum)
        w.write(sum0)
        w.write(sum1)
        w.write(pushesSinceExact)
        w.endRecord()
    }

    public init(from r: inout StateReader) throws {
        let version = try r.beginRecord(Self.stateTag)
        try StateReader.check(version, tag: Self.stateTag, supported: 1...3)
        let dimension = try r.readCount(limit: 1 << 24)
        guard dimension >= 1 else { throw StateDecodingError.invalid("dimension 0") }
        let parameters = try BoundaryParameters(from: &r, version: version)
        let position = try r.readCount()
        let eventStart = try r.readCount(limit: position)
        let lastBoundary = try r.readInt()
        let contextLength = parameters.anticipator.contextLength
        let contextCount = try r.readCount(limit: contextLength)
        let contextHead = try r.readCount(limit: contextLength - 1)
        let context = try r.readDoubles()
        let scaleCount = try r.readCount(limit: position)
        let scale = try r.readDoubles()
        let hasPrevious = try r.readBool()
        let previous = try r.readDoubles()
        let memCount = try r.readCount(limit: parameters.kMax)
        let memHead = try r.readCount(limit: parameters.kMax - 1)
        let mean = try r.readDouble()
        let m2 = try r.readDouble()
        let removals = try r.readCount(limit: parameters.kMax - 1)
        let values = try r.readDoubles()
        let cusumSum = version >= 2 ? try r.readDouble() : 0
        // Version 2 and earlier summed the context on every record: their sums are recomputed.
        let sums: (s0: [Double], s1: [Double], pushes: Int)? = version >= 3
            ? (try r.readDoubles(), try r.readDoubles(), try r.readCount(limit: contextLength - 1)) : nil
        try r.endRecord()

        guard context.count == contextLength * dimension, scale.count == dimension,
              previous.count == dimension, values.count == parameters.kMax
        else { throw StateDecodingError.invalid("buffer sizes do not match D = \(dimension)") }
        guard lastBoundary >= -1, lastBoundary < position,
              lastBoundary == -1 ? eventStart == 0 : eventStart == lastBoundary,
              hasPrevious == (position > 0), scaleCount == Swift.max(position - 1, 0),
              contextCount <= position - eventStart, parameters.keepErrors || memCount <= position - eventStart
        else { throw StateDecodingError.invalid("detector positions inconsistent") }
        guard context.allSatisfy(\.isFinite), previous.allSatisfy(\.isFinite),
              scale.allSatisfy({ $0.isFinite && $0 >= 0 }), values.allSatisfy({ $0.isFinite && $0 >= 0 })
        else { throw StateDecodingError.invalid("non-finite or negative values in the state") }
        guard cusumSum >= 0, cusumSum.isFinite, parameters.cusum != nil || cusumSum == 0,
              cusumSum <= parameters.cusum?.threshold ?? 0
        else { throw StateDecodingError.invalid("CUSUM sum \(cusumSum) out of range") }
        var memory = ErrorMemory(capacity: parameters.kMax)
        memory.values = values
        memory.count = memCount
        memory.head = memHead
        let (exactMean, exactM2) = memory.exactMoments()
        // Welford's rounding is ~ε·max|e| per update and the moments are recomputed every lap of
        // the ring, so 1e-9 relative to the largest held error is generous yet catches tampering.
        let magnitude = values.prefix(parameters.kMax).reduce(0) { Swift.max($0, abs($1)) }
        let n = Double(Swift.max(memCount, 1))
        let tolMean = 1e-9 * magnitude * n + 1e-300
        let tolM2 = 1e-9 * magnitude * magnitude * n * n + 1e-300
        guard mean.isFinite, m2.isFinite, abs(mean - exactMean) <= tolMean, abs(m2 - exactM2) <= tolM2
        else { throw StateDecodingError.invalid("error memory moments disagree with its contents") }
        memory.mean = mean
        memory.m2 = m2
        memory.removals = removals

        self.init(dimension: dimension, parameters: parameters)
        self.position = position
        self.eventStart = eventStart
        self.lastBoundary = lastBoundary
        self.context = context
        self.contextCount = contextCount
        self.contextHead = contextHead
        self.scale = scale
        self.scaleCount = scaleCount
        self.previous = previous
        self.hasPrevious = hasPrevious
        self.memory = memory
        self.cusumSum = cusumSum
        guard let sums else {
            recomputeSums()
            return
        }
        guard sums.s0.count == dimension, sums.s1.count == dimension,
              sums.s0.allSatisfy(\.isFinite), sums.s1.allSatisfy(\.isFinite)
        else { throw StateDecodingError.invalid("context sums do not match D = \(dimension) or are not finite") }
        let usesSums: Bool
        switch parameters.anticipator {
        case .mean, .linear: usesSums = true
        case .last, .ewma: usesSums = false
        }
        // The sums must be the ring's (to rounding): check against an exact recomputation.
        var exact = self
        exact.recomputeSums()
        let sumScale = context.reduce(0) { Swift.max($0, abs($1)) } * Double(contextLength * contextLength) + 1e-300
        for d in 0..<dimension where usesSums {
            guard abs(sums.s0[d] - exact.sum0[d]) <= 1e-9 * sumScale, abs(sums.s1[d] - exact.sum1[d]) <= 1e-9 * sumScale
            else { throw StateDecodingError.invalid("context sums disagree with the context") }
        }
        guard usesSums || (sums.s0.allSatisfy { $0 == 0 } && sums.s1.allSatisfy { $0 == 0 } && sums.pushes == 0)
        else { throw StateDecodingError.invalid("context sums for an anticipator without sums") }
        sum0 = sums.s0
        sum1 = sums.s1
        pushesSinceExact = sums.pushes
    }
}
