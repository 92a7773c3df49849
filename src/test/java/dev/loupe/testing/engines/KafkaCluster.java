package dev.loupe.testing.engines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka cluster of {@code size} KRaft nodes on loopback, each a separate JVM in combined mode
 * (broker and controller), from Maven Central's jars ({@code engines/kafka/pom.xml}). Internal
 * topics are replicated to every node (3 nodes: min.insync.replicas 2), so one node can be
 * {@linkplain #kill9 killed} with work still flowing.
 *
 * <p>{@linkplain #start(Path, int, boolean) Proxied}, each broker has a second listener,
 * {@code PROXIED}, that advertises the port of a {@link TcpProxy} in front of it: a client
 * bootstrapped at {@link #proxiedBootstrapServers} is told of the proxies in the metadata, so all
 * its Kafka traffic goes through them and {@linkplain TcpProxy#partition partitioning} them cuts
 * that client off the whole cluster while everyone else (the brokers among themselves too) carries on.
 */
public final class KafkaCluster implements AutoCloseable {
    private static final List<String> JVM = List.of("-Xmx384m", "-Xms64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Path dir;
    private final int[] brokerPorts;
    private final int[] controllerPorts;
    /** With {@link #proxies}: the port of each broker's {@code PROXIED} listener, behind its proxy. */
    private final int[] proxiedPorts;
    private final List<TcpProxy> proxies = new ArrayList<>();
    private final List<EngineProcess> nodes = new ArrayList<>();

    private KafkaCluster(Path dir, int size, boolean proxied) {
        this.dir = dir;
        this.brokerPorts = new int[size];
        this.controllerPorts = new int[size];
        this.proxiedPorts = new int[proxied ? size : 0];
        for (int i = 0; i < size; i++) {
            brokerPorts[i] = EngineProcess.freePort();
            controllerPorts[i] = EngineProcess.freePort();
            if (proxied) {
                proxiedPorts[i] = EngineProcess.freePort();
                // Started first: the broker must advertise the proxy's port, so the port is known before the config is written.
                proxies.add(TcpProxy.to("kafka-" + (i + 1), proxiedPorts[i]));
            }
        }
    }

    /** Formats and starts {@code size} nodes under {@code dir}, returning once every broker listens. */
    public static KafkaCluster start(Path dir, int size) {
        return start(dir, size, false);
    }

    /**
     * As {@link #start(Path, int)}; {@code proxied}: each broker also listens behind a {@link TcpProxy}
     * of its own, which it advertises on that listener (see the class comment).
     */
    public static KafkaCluster start(Path dir, int size, boolean proxied) {
        KafkaCluster cluster = new KafkaCluster(dir, size, proxied);
        try {
            cluster.launch();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void launch() {
        String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
        String classpath = EngineClasspath.of("kafka");
        StringBuilder voters = new StringBuilder();
        for (int i = 0; i < brokerPorts.length; i++) {
            if (i > 0) voters.append(',');
            voters.append(i + 1).append("@127.0.0.1:").append(controllerPorts[i]);
        }
        for (int i = 0; i < brokerPorts.length; i++) {
            Path nodeDir = dir.resolve("node-" + (i + 1));
            Path config = nodeDir.resolve("server.properties");
            int replicas = Math.min(3, brokerPorts.length);
            // A broker answers metadata with the addresses of the listener the request came in on.
            String proxiedListener = proxies.isEmpty() ? "" : ",PROXIED://127.0.0.1:" + proxiedPorts[i];
            String proxiedAdvertised = proxies.isEmpty() ? "" : ",PROXIED://127.0.0.1:" + proxies.get(i).port();
            write(config, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=" + (i + 1),
                    "controller.quorum.voters=" + voters,
                    "listeners=PLAINTEXT://127.0.0.1:" + brokerPorts[i] + ",CONTROLLER://127.0.0.1:" + controllerPorts[i] + proxiedListener,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPorts[i] + proxiedAdvertised,
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT" + (proxies.isEmpty() ? "" : ",PROXIED:PLAINTEXT"),
                    "log.dirs=" + nodeDir.resolve("data").toAbsolutePath(),
                    "num.partitions=6",
                    "default.replication.factor=" + replicas,
                    "min.insync.replicas=" + (replicas >= 3 ? 2 : 1),
                    "offsets.topic.replication.factor=" + replicas,
                    "offsets.topic.num.partitions=6",
                    "transaction.state.log.replication.factor=" + replicas,
                    "transaction.state.log.min.isr=" + (replicas >= 3 ? 2 : 1),
                    "group.initial.rebalance.delay.ms=0",
                    "num.network.threads=2",
                    "num.io.threads=2",
                    "log.flush.interval.messages=1",
                    "") + "\n");
            format(classpath, clusterId, config, nodeDir);
        }
        for (int i = 0; i < brokerPorts.length; i++) {
            Path nodeDir = dir.resolve("node-" + (i + 1));
            nodes.add(EngineProcess.java("kafka-" + (i + 1), "kafka", JVM, "kafka.Kafka",
                    List.of(nodeDir.resolve("server.properties").toAbsolutePath().toString()), nodeDir));
        }
        for (int i = 0; i < nodes.size(); i++) nodes.get(i).awaitPort(brokerPorts[i], Duration.ofMinutes(2));
    }

    private static void format(String classpath, String clusterId, Path config, Path nodeDir) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(JVM);
        cmd.addAll(List.of("-cp", classpath, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toAbsolutePath().toString()));
        Path log = nodeDir.resolve("format.log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("formatting Kafka storage failed (" + String.join(" ", cmd.subList(cmd.size() - 6, cmd.size()))
                        + "):\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code host:port} of every broker, as a client's {@code bootstrap.servers}. */
    public String bootstrapServers() {
        StringBuilder sb = new StringBuilder();
        for (int port : brokerPorts) {
            if (!sb.isEmpty()) sb.append(',');
            sb.append("127.0.0.1:").append(port);
        }
        return sb.toString();
    }

    /** {@code host:port} of every broker's proxy: a client bootstrapped here talks to the cluster through {@link #proxies} only. */
    public String proxiedBootstrapServers() {
        if (proxies.isEmpty()) throw new IllegalStateException("this cluster was started without proxies: KafkaCluster.start(dir, size, true)");
        StringBuilder sb = new StringBuilder();
        for (TcpProxy p : proxies) {
            if (!sb.isEmpty()) sb.append(',');
            sb.append("127.0.0.1:").append(p.port());
        }
        return sb.toString();
    }

    /** The proxy in front of each broker (0-based, as the brokers), or none when not started proxied. */
    public List<TcpProxy> proxies() {
        return List.copyOf(proxies);
    }

    public int size() {
        return brokerPorts.length;
    }

    /** SIGKILL to node {@code i} (0-based). */
    public void kill9(int i) {
        nodes.get(i).kill9();
    }

    /** Starts node {@code i} again on its data and waits until its broker listens. */
    public void restart(int i) {
        nodes.get(i).restart();
        nodes.get(i).awaitPort(brokerPorts[i], Duration.ofMinutes(2));
    }

    public String logTail(int i, int lines) {
        return nodes.get(i).logTail(lines);
    }

    @Override
    public void close() {
        // SIGKILL: a controlled shutdown of the last nodes waits on a quorum that is already gone.
        for (EngineProcess node : nodes) {
            node.kill9();
            node.close();
        }
        for (TcpProxy p : proxies) p.close();
    }
}
