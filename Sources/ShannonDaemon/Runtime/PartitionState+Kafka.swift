import ShannonCore
import ShannonKafka

extension PartitionState {
    /// The Kafka name of the partition this state belongs to.
    var topicPartition: TopicPartition { TopicPartition(topic, partition) }
}
