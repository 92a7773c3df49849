package dev.loupe.testing.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client bootstrapped at a proxied cluster's proxies is told of the proxies, not of the brokers'
 * own ports, so partitioning the proxies cuts it off every broker; a client on the brokers' own
 * listeners is not affected.
 */
class ProxiedKafkaClusterTest {
    private static final String TOPIC = "proxied";

    @Test
    void aClientBootstrappedThroughTheProxiesReachesEveryBrokerThroughThemAndAPartitionCutsItOff(@TempDir Path dir) throws Exception {
        try (KafkaCluster cluster = KafkaCluster.start(dir, 3, true);
             Admin direct = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
             Admin proxied = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.proxiedBootstrapServers()))) {
            Set<Integer> proxyPorts = new TreeSet<>();
            for (TcpProxy p : cluster.proxies()) proxyPorts.add(p.port());
            assertEquals(proxyPorts, ports(proxied.describeCluster().nodes().get(30, TimeUnit.SECONDS)),
                    "metadata through the proxies names the proxies");
            assertTrue(ports(direct.describeCluster().nodes().get(30, TimeUnit.SECONDS)).stream().noneMatch(proxyPorts::contains),
                    "metadata on the brokers' own listener names their own ports");
            direct.createTopics(List.of(new NewTopic(TOPIC, 6, (short) 3))).all().get(30, TimeUnit.SECONDS);

            try (KafkaProducer<String, String> producer = producer(cluster.proxiedBootstrapServers())) {
                Map<TcpProxy, Long> before = new HashMap<>();
                for (TcpProxy p : cluster.proxies()) before.put(p, p.forwardedBytes());
                for (int i = 0; i < 60; i++) producer.send(new ProducerRecord<>(TOPIC, "key-" + i, "v")).get(30, TimeUnit.SECONDS);
                for (TcpProxy p : cluster.proxies()) {
                    assertTrue(p.forwardedBytes() > before.get(p), "the producer wrote to the partitions " + p.name() + " leads through it");
                }

                cluster.proxies().forEach(TcpProxy::partition);
                ExecutionException cut = assertThrows(ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>(TOPIC, "during", "v")).get(30, TimeUnit.SECONDS));
                assertTrue(cut.getCause() instanceof org.apache.kafka.common.errors.TimeoutException, "a timeout, not a refusal: " + cut.getCause());
                try (KafkaProducer<String, String> unaffected = producer(cluster.bootstrapServers())) {
                    unaffected.send(new ProducerRecord<>(TOPIC, "direct", "v")).get(30, TimeUnit.SECONDS);
                }

                cluster.proxies().forEach(TcpProxy::heal);
                producer.send(new ProducerRecord<>(TOPIC, "after", "v")).get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Short, so that a send during the partition gives up within the test's patience.
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static Set<Integer> ports(java.util.Collection<Node> nodes) {
        Set<Integer> out = new TreeSet<>();
        for (Node n : nodes) out.add(n.port());
        return out;
    }
}
