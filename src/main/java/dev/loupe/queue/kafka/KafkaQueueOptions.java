package dev.loupe.queue.kafka;

/**
 * Where {@link KafkaWorkQueue} dispatches work.
 *
 * @param bootstrapServers the brokers to reach first, {@code host:port,host:port}
 * @param topic            the topic carrying one message per queued item, keyed by object id
 * @param partitions       partitions the topic is created with if missing (the most workers that share it)
 * @param group            the consumer group every Loupe node of one catalog joins
 */
public record KafkaQueueOptions(String bootstrapServers, String topic, int partitions, String group) {
    public static final String DEFAULT_TOPIC = "loupe.work";
    public static final String DEFAULT_GROUP = "loupe-workers";
    public static final int DEFAULT_PARTITIONS = 6;

    public KafkaQueueOptions {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("--queue kafka needs --kafka-bootstrap (host:port of one or more brokers)");
        }
        if (topic == null || !topic.matches("[A-Za-z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("--kafka-topic must be 1..249 letters, digits, '.', '_' or '-', got: " + topic);
        }
        if (partitions < 1 || partitions > 10_000) throw new IllegalArgumentException("--kafka-partitions must be 1..10000, got: " + partitions);
        if (group == null || group.isBlank()) throw new IllegalArgumentException("a Kafka consumer group must be named");
    }

    public static KafkaQueueOptions of(String bootstrapServers) {
        return new KafkaQueueOptions(bootstrapServers, DEFAULT_TOPIC, DEFAULT_PARTITIONS, DEFAULT_GROUP);
    }

    public KafkaQueueOptions withTopic(String topic) {
        return new KafkaQueueOptions(bootstrapServers, topic, partitions, group);
    }
}
