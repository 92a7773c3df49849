package dev.loupe.testing.engines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One engine server (PostgreSQL, a Kafka broker, a Solr node, S3Proxy) run as a separate process
 * on loopback for a test: its output goes to {@code target/engines/<name>.log}, it is stopped
 * when the test JVM exits, and it can be killed with SIGKILL ({@link #kill9}) to prove recovery.
 */
public final class EngineProcess implements AutoCloseable {
    private static final Path LOGS = Path.of("target/engines");

    private final String name;
    private final List<String> command;
    private final Path log;
    private final Path workingDirectory;
    private Process process;
    private Thread stopAtExit;

    private EngineProcess(String name, List<String> command, Path workingDirectory) {
        this.name = name;
        this.command = List.copyOf(command);
        this.workingDirectory = workingDirectory;
        this.log = LOGS.resolve(name + ".log");
    }

    /** Starts {@code command}; {@code name} names its log file and appears in failure messages. */
    public static EngineProcess start(String name, List<String> command, Path workingDirectory) {
        EngineProcess p = new EngineProcess(name, command, workingDirectory);
        p.launch();
        return p;
    }

    /** Starts {@code mainClass} of an engine's class path ({@link EngineClasspath}) in a JVM of its own. */
    public static EngineProcess java(String name, String engine, List<String> jvmOptions, String mainClass, List<String> args,
                                     Path workingDirectory) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(EngineClasspath.of(engine));
        cmd.add(mainClass);
        cmd.addAll(args);
        return start(name, cmd, workingDirectory);
    }

    /** Starts the same command again after {@link #kill9} or {@link #stop}, appending to the same log. */
    public synchronized void restart() {
        if (process != null && process.isAlive()) throw new IllegalStateException(name + " is still running");
        launch();
    }

    private synchronized void launch() {
        try {
            Files.createDirectories(LOGS);
            Files.createDirectories(workingDirectory);
            Files.writeString(log, "\n=== start: " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + command.getFirst() + "): " + e.getMessage(), e);
        }
        if (stopAtExit != null) Runtime.getRuntime().removeShutdownHook(stopAtExit);
        Process started = process;
        stopAtExit = new Thread(started::destroyForcibly, "engine-stop:" + name);
        Runtime.getRuntime().addShutdownHook(stopAtExit);
    }

    /** Waits until something accepts connections on {@code port} of loopback; fails with the log's tail if the process dies or time runs out. */
    public void awaitPort(int port, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!isAlive()) throw new IllegalStateException(name + " exited with " + process.exitValue() + " before listening on "
                    + port + "; its log ends:\n" + logTail(40));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                sleep(200);
            }
        }
        throw new IllegalStateException(name + " did not listen on " + port + " within " + limit + "; its log ends:\n" + logTail(40));
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        return process.pid();
    }

    /** SIGKILL: the process gets no chance to flush or say goodbye. Returns once it is gone. */
    public synchronized void kill9() {
        process.destroyForcibly();
        await(process);
    }

    /** SIGTERM, then SIGKILL after 20 s. */
    public synchronized void stop() {
        if (process == null || !process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) kill9();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static void await(Process p) {
        try {
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last {@code lines} lines of the process's log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(log " + log + " unreadable: " + e.getMessage() + ")";
        }
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        stop();
        if (stopAtExit != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(stopAtExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run: nothing to remove
            }
        }
    }

    /** A port free on loopback now (another process may still take it before the engine binds it). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
