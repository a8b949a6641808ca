import Foundation
import Synchronization
import Testing
@testable import ShannonKafka

@Suite struct ConsumerGroupTests {
    @Test func tenThousandKeyedMessagesArriveIntactAndInPartitionOrder() throws {
        let topic = uniqueName("keyed")
        try sharedBroker.createTopic(topic, partitions: 3)
        let reports = try produce(0..<10_000, to: topic, broker: sharedBroker)

        #expect(reports.count == 10_000)
        #expect(reports.allSatisfy { $0.error == nil && $0.status == .persisted && $0.offset >= 0 })
        #expect(Set(reports.map(\.id)).count == 10_000)
        #expect(Set(reports.map(\.partition)) == [0, 1, 2])
        let partitionOf = Dictionary(uniqueKeysWithValues: reports.map { (Int($0.id), $0.partition) })

        var events: [RebalanceEvent] = []
        let consumer = try KafkaConsumer(configuration: consumerConfig(sharedBroker, group: uniqueName("g"))) { _, event in
            events.append(event)
            return [:]
        }
        try consumer.subscribe([topic])
        var got: [Received] = []
        try pollUntil(consumer, into: &got) { $0.count >= 10_000 }
        try consumer.close()

        #expect(got.count == 10_000)
        #expect(events.first.map { if case .assigned(let p) = $0 { Set(p) } else { [] } }
                == Set((0..<3).map { TopicPartition(topic, $0) }))
        var lastOffset: [Int32: Int64] = [:]
        var lastSeq: [Int32: Int] = [:]
        var seen = Set<Int>()
        for r in got {
            let s = try #require(seq(of: r.value))
            #expect(r.value == SentRecord(seq: s).value)
            #expect(r.key == SentRecord(seq: s).key)
            #expect(r.partition == partitionOf[s])
            #expect(r.offset > lastOffset[r.partition, default: -1])
            #expect(s > lastSeq[r.partition, default: -1], "production order kept within a partition")
            lastOffset[r.partition] = r.offset
            lastSeq[r.partition] = s
            seen.insert(s)
        }
        #expect(seen == Set(0..<10_000))
    }

    @Test func newMemberResumesAfterLastCommittedOffset() throws {
        let topic = uniqueName("resume")
        let group = uniqueName("g")
        try sharedBroker.createTopic(topic, partitions: 1)
        _ = try produce(0..<100, to: topic, broker: sharedBroker)
        let tp = TopicPartition(topic, 0)

        // First member processes exactly 60 records, storing after each batch, and commits in
        // its revocation handler, which `close()` runs before leaving the group.
        var commitInHandler: Result<Void, KafkaError>?
        let first = try KafkaConsumer(configuration: consumerConfig(sharedBroker, group: group)) { consumer, event in
            if case .revoked = event {
                commitInHandler = Result { () throws(KafkaError) in try consumer.commitStored() }
            }
            return [:]
        }
        try first.subscribe([topic])
        var processed = 0
        let end = ContinuousClock.now.advanced(by: .seconds(45))
        while processed < 60 && ContinuousClock.now < end {
            let batch = try first.poll(maxMessages: min(25, 60 - processed), timeout: .milliseconds(100))
            processed += batch.count
            try first.store(processed: batch)
        }
        #expect(processed == 60)
        try first.close()
        #expect(throws: Never.self) { try commitInHandler?.get() }
        #expect(commitInHandler != nil)

        let second = try KafkaConsumer(configuration: consumerConfig(sharedBroker, group: group))
        #expect(try second.committed([tp]) == [tp: 60])
        try second.subscribe([topic])
        var got: [Received] = []
        try pollUntil(second, into: &got) { $0.count >= 40 }
        #expect(got.first?.offset == 60)
        #expect(got.map(\.offset) == Array(60..<100))
        #expect(got.compactMap { seq(of: $0.value) } == Array(60..<100))
        try second.close()
    }

    @Test func assignedHandlerChoosesStartOffsets() throws {
        let topic = uniqueName("start")
        try sharedBroker.createTopic(topic, partitions: 2)
        _ = try produce(0..<40, to: topic, broker: sharedBroker, partition: 0)
        _ = try produce(40..<80, to: topic, broker: sharedBroker, partition: 1)
        let consumer = try KafkaConsumer(configuration: consumerConfig(sharedBroker, group: uniqueName("g"))) { _, event in
            // As a checkpoint would: partition 0 resumes at 25, partition 1 has no checkpoint.
            guard case .assigned = event else { return [:] }
            return [TopicPartition(topic, 0): .offset(25)]
        }
        try consumer.subscribe([topic])
        var got: [Received] = []
        try pollUntil(consumer, into: &got) { $0.count >= 55 }
        #expect(got.filter { $0.partition == 0 }.map(\.offset) == Array(25..<40))
        #expect(got.filter { $0.partition == 1 }.map(\.offset) == Array(0..<40))
        try consumer.close()
    }

    @Test func secondMemberTakesPartitionsAndSurvivorGetsThemBack() throws {
        let topic = uniqueName("rebalance")
        let group = uniqueName("g")
        try sharedBroker.createTopic(topic, partitions: 4)
        let all = Set((0..<4).map { TopicPartition(topic, Int32($0)) })

        var eventsA: [RebalanceEvent] = []
        var eventsB: [RebalanceEvent] = []
        var assignedA = Set<TopicPartition>()
        var assignedB = Set<TopicPartition>()
        func track(_ event: RebalanceEvent, _ events: inout [RebalanceEvent], _ assigned: inout Set<TopicPartition>) {
            events.append(event)
            switch event {
            case .assigned(let p): assigned.formUnion(p)
            case .revoked(let p), .lost(let p): assigned.subtract(p)
            }
        }
        let a = try KafkaConsumer(configuration: consumerConfig(sharedBroker, group: group)) { consumer, event in
            // The assignment librdkafka holds at this moment: still the old one on revocation.
            if case .revoked(let p) = event { #expect(Set((try? consumer.assignment()) ?? []) == Set(p)) }
            track(event, &eventsA, &assignedA)
            return [:]
        }
        try a.subscribe([topic])
        var sink: [Received] = []
        #expect(try pollUntil(a, into: &sink) { _ in assignedA == all })

        let b = try KafkaConsumer(configuration: consumerConfig(sharedBroker, group: group)) { _, event in
            track(event, &eventsB, &assignedB)
            return [:]
        }
        try b.subscribe([topic])
        // Both members must keep polling for the group to settle: interleave them on this thread.
        let end = ContinuousClock.now.advanced(by: .seconds(45))
        while ContinuousClock.now < end && !(assignedA.count == 2 && assignedB.count == 2) {
            _ = try a.poll(timeout: .milliseconds(50))
            _ = try b.poll(timeout: .milliseconds(50))
        }
        #expect(assignedA.count == 2 && assignedB.count == 2)
        #expect(assignedA.isDisjoint(with: assignedB) && assignedA.union(assignedB) == all)
        #expect(eventsA.count >= 3)
        if eventsA.count >= 3 {
            #expect(eventsA[1].isRevocation && eventsA[1].partitions == all, "eager: the whole assignment is revoked first")
            #expect(eventsA.last?.isAssignment == true && eventsA.last?.partitions.count == 2)
        }

        try b.close()
        #expect(eventsB.last?.isRevocation == true, "a member leaving sees its own revocation")
        #expect(try pollUntil(a, into: &sink) { _ in assignedA == all })
        #expect(try Set(a.assignment()) == all)
        try a.close()
    }
}

extension RebalanceEvent {
    var partitions: Set<TopicPartition> {
        switch self { case .assigned(let p), .revoked(let p), .lost(let p): Set(p) }
    }
    var isAssignment: Bool { if case .assigned = self { true } else { false } }
    var isRevocation: Bool { if case .revoked = self { true } else { false } }
}

@Suite struct CooperativeRebalanceTests {
    @Test func cooperativeMembersMoveOnlyThePartitionsThatChangeOwner() throws {
        let topic = uniqueName("coop")
        let group = uniqueName("g")
        try sharedBroker.createTopic(topic, partitions: 4)
        let all = Set((0..<4).map { TopicPartition(topic, Int32($0)) })
        var eventsA: [RebalanceEvent] = []
        var ownedA = Set<TopicPartition>(), ownedB = Set<TopicPartition>()
        let a = try KafkaConsumer(configuration: consumerConfig(sharedBroker, group: group), rebalanceProtocol: .cooperative) { _, e in
            eventsA.append(e)
            if case .assigned(let p) = e { ownedA.formUnion(p) } else { ownedA.subtract(e.partitions) }
            return [:]
        }
        try a.subscribe([topic])
        var sink: [Received] = []
        #expect(try pollUntil(a, into: &sink) { _ in ownedA == all })

        let b = try KafkaConsumer(configuration: consumerConfig(sharedBroker, group: group), rebalanceProtocol: .cooperative) { _, e in
            if case .assigned(let p) = e { ownedB.formUnion(p) } else { ownedB.subtract(e.partitions) }
            return [:]
        }
        try b.subscribe([topic])
        let end = ContinuousClock.now.advanced(by: .seconds(45))
        while ContinuousClock.now < end && !(ownedA.count == 2 && ownedB.count == 2) {
            _ = try a.poll(timeout: .milliseconds(50))
            _ = try b.poll(timeout: .milliseconds(50))
        }
        #expect(ownedA.count == 2 && ownedB.count == 2 && ownedA.union(ownedB) == all)
        // Incremental: A gave up exactly the two partitions B took, never the whole set.
        let revoked = eventsA.filter(\.isRevocation)
        #expect(revoked.count == 1 && revoked.first?.partitions == ownedB)
        try b.close()
        try a.close()
    }
}
