package dev.loupe.queue.kafka;

import java.time.Duration;

/**
 * Where {@link KafkaWorkQueue} dispatches work.
 *
 * @param bootstrapServers the brokers to reach first, {@code host:port,host:port}
 * @param topic            the topic carrying one message per queued item, keyed by object id
 * @param partitions       partitions the topic is created with if missing (the most workers that share it)
 * @param group            the consumer group every Loupe node of one catalog joins
 * @param sessionTimeout   how long the group waits for a silent node before its partitions, and
 *                         so its running items, go to the others: the takeover time after a crash
 */
public record KafkaQueueOptions(String bootstrapServers, String topic, int partitions, String group, Duration sessionTimeout) {
    public static final String DEFAULT_TOPIC = "loupe.work";
    public static final String DEFAULT_GROUP = "loupe-workers";
    public static final int DEFAULT_PARTITIONS = 6;
    /**
     * Kafka's own default is 45 s, so a node killed mid-batch held its partitions' work for most
     * of a minute. Heartbeats come from the client's own thread, not from work, so a busy node
     * keeps its membership; 10 s is above the brokers' default floor (group.min.session.timeout.ms, 6 s).
     */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);

    public KafkaQueueOptions {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("--queue kafka needs --kafka-bootstrap (host:port of one or more brokers)");
        }
        if (topic == null || !topic.matches("[A-Za-z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("--kafka-topic must be 1..249 letters, digits, '.', '_' or '-', got: " + topic);
        }
        if (partitions < 1 || partitions > 10_000) throw new IllegalArgumentException("--kafka-partitions must be 1..10000, got: " + partitions);
        if (group == null || group.isBlank()) throw new IllegalArgumentException("a Kafka consumer group must be named");
        if (sessionTimeout == null || sessionTimeout.toMillis() < 1000 || sessionTimeout.toMinutes() > 30) {
            throw new IllegalArgumentException("--kafka-session-timeout must be 1..1800 seconds, got: " + sessionTimeout);
        }
    }

    public KafkaQueueOptions(String bootstrapServers, String topic, int partitions, String group) {
        this(bootstrapServers, topic, partitions, group, DEFAULT_SESSION_TIMEOUT);
    }

    public static KafkaQueueOptions of(String bootstrapServers) {
        return new KafkaQueueOptions(bootstrapServers, DEFAULT_TOPIC, DEFAULT_PARTITIONS, DEFAULT_GROUP);
    }

    public KafkaQueueOptions withTopic(String topic) {
        return new KafkaQueueOptions(bootstrapServers, topic, partitions, group, sessionTimeout);
    }
}
