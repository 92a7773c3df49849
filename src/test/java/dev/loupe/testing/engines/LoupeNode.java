package dev.loupe.testing.engines;

import dev.loupe.testing.Api;
import dev.loupe.testing.Fixtures;
import dev.loupe.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code loupe serve} in a JVM of its own on a fixed loopback port, run through
 * {@link EngineProcess}: its output goes to {@code target/engines/loupe-<node id>.log}, and
 * {@link #kill9} and {@link #restart} model a crashed machine that comes back with the same node
 * id, port and data directory. It runs on the test class path with the fixture encoder as image
 * model ({@link Fixtures#MODEL}), the admin key {@link TestServer#ADMIN_KEY} and private URLs
 * allowed, like {@link TestServer}; {@code flags} add the engines (see {@link LoupeCluster#flags}).
 */
public final class LoupeNode implements AutoCloseable {
    /** A Loupe node starts in seconds; the first start of a JVM may also generate the fixture model. */
    private static final Duration START_LIMIT = Duration.ofMinutes(2);
    private static final List<String> JVM = List.of("-Xmx512m", "-XX:+UseSerialGC", "--add-modules", "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED",
            // DJL reads these as system properties too: no telemetry, no downloads.
            "-DOPT_OUT_TRACKING=true", "-DDJL_OFFLINE=true");

    private final String nodeId;
    private final int port;
    private final List<String> flags;
    private final EngineProcess process;

    private LoupeNode(String nodeId, int port, List<String> flags, EngineProcess process) {
        this.nodeId = nodeId;
        this.port = port;
        this.flags = List.copyOf(flags);
        this.process = process;
    }

    /**
     * Starts node {@code nodeId} keeping its node-local files under {@code dataDir}, with
     * {@code flags} (the engines, {@code --workers}, ...) after the fixture's own; returns once it
     * answers HTTP. Later flags win, so {@code flags} may override the fixture's.
     */
    public static LoupeNode start(String nodeId, Path dataDir, List<String> flags) {
        int port = EngineProcess.freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM);
        // The test class path is some 20 KB: in an argument file, the log's start line stays readable.
        cmd.add("@" + classPathFile(dataDir));
        cmd.addAll(List.of("dev.loupe.Loupe", "serve",
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--data-dir", dataDir.toAbsolutePath().toString(),
                "--models-dir", Fixtures.modelsDir().toAbsolutePath().toString(), "--image-model", Fixtures.MODEL,
                "--allow-private-urls", "--offline", "--model-endpoint", "http://127.0.0.1:9", "--admin-key", TestServer.ADMIN_KEY));
        cmd.addAll(flags);
        EngineProcess p = EngineProcess.start("loupe-" + nodeId, cmd, dataDir);
        LoupeNode node = new LoupeNode(nodeId, port, flags, p);
        try {
            node.awaitUp();
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return node;
    }

    private static Path classPathFile(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            // The java launcher's argument files take quotes; a class path holds no quote or backslash on Linux.
            return Files.writeString(dataDir.resolve("java-classpath.args"), "-cp \"" + System.getProperty("java.class.path") + "\"\n",
                    StandardCharsets.UTF_8).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The HTTP server opens its port last in {@code Loupe.start}: once it listens, the node serves. */
    private void awaitUp() {
        process.awaitPort(port, START_LIMIT);
    }

    public String nodeId() {
        return nodeId;
    }

    /** {@code http://127.0.0.1:<port>}; the same across restarts. */
    public String base() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The admin API of this node, acting in {@code namespace} (null: no {@code X-Namespace} header). */
    public Api admin(String namespace) {
        return new Api(base(), TestServer.ADMIN_KEY, namespace);
    }

    /** The flags this node was given on top of the fixture's (the engines it reaches). */
    public List<String> flags() {
        return flags;
    }

    /** SIGKILL: no shutdown hook runs, claimed work and Kafka partitions are left for the others to take over. */
    public void kill9() {
        process.kill9();
    }

    /** Starts the node again after {@link #kill9} or {@link #stop} with the same id, port and data directory. */
    public void restart() {
        process.restart();
        awaitUp();
    }

    /** SIGTERM: Loupe's shutdown hook closes it cleanly. */
    public void stop() {
        process.stop();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String logTail(int lines) {
        return process.logTail(lines);
    }

    public EngineProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "Loupe node " + nodeId + " at " + base();
    }
}
