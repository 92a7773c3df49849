package dev.loupe.queue.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

/**
 * The consumer's group settings decide how soon a killed node's partitions, and so its running
 * items, go to the others: Kafka's default session of 45 s left a node's share of a batch idle
 * for most of a minute.
 */
class KafkaConsumerSettingsTest {
    @Test
    void theConsumerSessionIsTheOptionsAndHeartbeatsComeThreeTimesPerSession() {
        var options = new KafkaQueueOptions("k:9092", "t", 6, "g", Duration.ofSeconds(12));
        Properties p = KafkaWorkQueue.consumerProperties(options, "node-a");
        assertEquals(12_000, p.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG));
        assertEquals(4_000, p.get(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG));
        assertEquals("node-a", p.get(ConsumerConfig.CLIENT_ID_CONFIG), "the client id is the owner the claims look for in the group");
    }

    @Test
    void byDefaultASilentNodeLosesItsPartitionsWithinTenSeconds() {
        Properties p = KafkaWorkQueue.consumerProperties(KafkaQueueOptions.of("k:9092"), "node-a");
        assertEquals(10_000, p.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG));
    }
}
