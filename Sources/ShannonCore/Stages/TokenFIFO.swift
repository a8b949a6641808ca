import ShannonStats

/// The tokens of the records in a sliding window, oldest first, so the counter can forget a
/// record's tokens when it leaves. Amortised O(1) per token: the head advances and the array is
/// compacted once half of it is dead.
struct TokenFIFO: Equatable {
    private(set) var ids: [UInt64] = []
    private(set) var folded: [Bool] = []
    private(set) var head = 0
    /// Tokens per record, oldest first.
    private(set) var lengths: Ring<Int32>

    init(records: Int) { lengths = Ring(capacity: records, fill: 0) }

    mutating func push(record tokens: UnsafeBufferPointer<UInt64>, folded flags: some Sequence<Bool>) {
        ids.append(contentsOf: tokens)
        folded.append(contentsOf: flags)
        lengths.push(Int32(tokens.count))
    }

    /// Removes the oldest record's tokens, handing each to `body`.
    mutating func popRecord(_ body: (UInt64, Bool) -> Void) {
        guard let n = lengths.pop() else { return }
        for i in head..<head + Int(n) { body(ids[i], folded[i]) }
        head += Int(n)
        if head > 4096 && head * 2 > ids.count {
            ids.removeFirst(head)
            folded.removeFirst(head)
            head = 0
        }
    }

    mutating func removeAll() {
        ids.removeAll(keepingCapacity: true)
        folded.removeAll(keepingCapacity: true)
        head = 0
        lengths.removeAll()
    }

    func encode(to w: inout StateWriter) {
        lengths.encode(to: &w)
        let live = ids.count - head
        w.write(live)
        for i in head..<ids.count {
            w.write(ids[i])
            w.write(folded[i])
        }
    }

    init(from r: inout StateReader) throws {
        lengths = try Ring<Int32>(from: &r)
        let live = try r.readCount(limit: r.remaining / 9)
        for _ in 0..<live {
            ids.append(try r.read(UInt64.self))
            folded.append(try r.readBool())
        }
        var total = 0
        var copy = lengths
        while let n = copy.pop() {
            guard n >= 0 else { throw StateDecodingError.invalid("negative record length") }
            total += Int(n)
        }
        guard total == live else { throw StateDecodingError.invalid("token ring holds \(live) tokens, lengths say \(total)") }
    }
}

/// Adds the current record's tokens to `counter` (and to the sliding FIFO), first evicting the
/// oldest record's tokens when the window slides.
func addTokens(_ input: StageInput, to counter: inout TokenCounter, fifo: inout TokenFIFO?, evictOldest: Bool) -> Bool {
    if evictOldest { fifo?.popRecord { id, folded in counter.remove(id, folded: folded) } }
    guard input.decoder.isPresent(input.field) else {
        if fifo != nil { fifo!.push(record: UnsafeBufferPointer(start: nil, count: 0), folded: []) }
        return false
    }
    let tokens: UnsafeBufferPointer<UInt64>
    var single: UInt64 = 0
    if input.decoder.spec.fields[input.field].type == .category {
        single = input.decoder.categoryID(input.field)
        tokens = withUnsafePointer(to: &single) { UnsafeBufferPointer(start: $0, count: 1) }
    } else {
        tokens = input.decoder.tokens(input.field)
    }
    if fifo == nil {
        for id in tokens { _ = counter.add(id) }
    } else {
        // Rare path (sliding windows): remember which tokens were folded into `other`.
        var flags: [Bool] = []
        flags.reserveCapacity(tokens.count)
        for id in tokens { flags.append(!counter.add(id)) }
        fifo!.push(record: tokens, folded: flags)
    }
    return true
}

/// Token counts of reference texts, tokenised exactly as the decoder tokenises the field.
func tokenCounter(_ texts: [String], field: FieldSpec, maxDistinct: Int) -> TokenCounter {
    var counter = TokenCounter(maxDistinct: maxDistinct, initialCapacity: 1024)
    for text in texts {
        if field.type == .category {
            _ = counter.add(TokenHash.fnv1a64(text))
        } else {
            for id in TokenScanner.ids(text, field.tokenizer) { _ = counter.add(id) }
        }
    }
    return counter
}
