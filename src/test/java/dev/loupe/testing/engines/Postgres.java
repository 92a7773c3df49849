package dev.loupe.testing.engines;

import dev.loupe.catalog.PostgresOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A PostgreSQL server for tests, from Debian's {@code postgresql} package: initialised in a
 * temporary directory, listening on a free loopback port with trust authentication, one per test
 * JVM ({@link #shared}). Each caller gets a database of its own ({@link #freshDatabase}). As root,
 * the server runs as the {@code postgres} user, since {@code initdb} refuses root.
 */
public final class Postgres {
    private static Postgres shared;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final EngineProcess process;
    private final int port;

    private Postgres(EngineProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The server of this test JVM, started on first use. */
    public static synchronized Postgres shared() {
        if (shared == null) shared = start();
        return shared;
    }

    /** A new, empty database on the server, as options for {@code Database.postgres}. */
    public PostgresOptions freshDatabase(int poolSize) {
        String name = "loupe_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage() + "; server log:\n" + process.logTail(20), e);
        }
        return new PostgresOptions("postgresql://postgres@127.0.0.1:" + port + "/" + name, null, poolSize);
    }

    public PostgresOptions freshDatabase() {
        return freshDatabase(4);
    }

    public int port() {
        return port;
    }

    private static Postgres start() {
        Path bin = binaries();
        try {
            Path dir = Files.createTempDirectory("loupe-pg");
            Path data = dir.resolve("data");
            List<String> asUser = asServerUser(dir);
            run(concat(asUser, List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres",
                    "-E", "UTF8", "--locale=C", "--no-sync")), dir);
            int port = EngineProcess.freePort();
            // A test server: durability is the catalog's concern only on a real one, so fsync is off for speed.
            EngineProcess p = EngineProcess.start("postgres", concat(asUser, List.of(bin.resolve("postgres").toString(), "-D", data.toString(),
                    "-p", String.valueOf(port), "-h", "127.0.0.1", "-k", dir.toString(), "-c", "fsync=off", "-c", "synchronous_commit=off",
                    "-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=32MB")), dir);
            // The cluster is some 40 MB: it goes with the test JVM, after the server.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                p.close();
                deleteTree(dir);
            }, "postgres-cleanup"));
            p.awaitPort(port, Duration.ofSeconds(60));
            Postgres pg = new Postgres(p, port);
            pg.awaitReady();
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up PostgreSQL: " + e.getMessage(), e);
        }
    }

    /** The port opens before the server accepts sessions ("the database system is starting up"). */
    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "")) {
                return;
            } catch (SQLException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("PostgreSQL does not accept sessions: " + notYet.getMessage() + "; its log:\n" + process.logTail(30));
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** The newest server under /usr/lib/postgresql; fails (the test with it) when the package is missing. */
    private static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var newest = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("postgres")))
                        .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
                if (newest.isPresent()) return newest.get();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/postgres):"
                + " apt-get install postgresql, or run ./loupe test, which installs it");
    }

    /** As root: run as the postgres user, which then owns {@code dir}. Otherwise: as this user. */
    private static List<String> asServerUser(Path dir) throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) return List.of();
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        // setpriv execs the server itself, so the process a test kills is the postmaster.
        return List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups", "--");
    }

    private static void run(List<String> cmd, Path dir) throws IOException {
        Path log = Files.createTempFile("loupe-initdb", ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover temporary directory is harmless
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
