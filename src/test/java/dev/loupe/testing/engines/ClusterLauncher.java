package dev.loupe.testing.engines;

import dev.loupe.inference.ModelCatalog;
import dev.loupe.inference.ModelRepository;
import dev.loupe.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code scripts/cluster.sh up} runs: a {@link LoupeCluster} for a person to try, described
 * in files under a directory of its own, and kept up by this JVM until it is stopped (SIGTERM:
 * every process it started ends with it). The script starts it detached, so the cluster
 * outlives the shell that asked for it.
 *
 * <p>Under {@code DIR}: {@code state/} (the brokers', S3Proxy's and nodes' files; PostgreSQL's
 * and Solr's are the fixtures' own, in a temporary directory and {@code target/engines/}),
 * {@value #DESCRIPTION} (node URLs, the admin key, each node's settings), {@value #NODES}
 * ({@code id url} per Loupe node), {@value #PIDS} (one {@code pid name} line per process
 * started, for {@code down} to finish off whatever survives this JVM), {@value #LAUNCHER_PID}, and {@value #READY}, written last.
 */
public final class ClusterLauncher {
    static final String DESCRIPTION = "cluster.txt";
    static final String PIDS = "pids";
    static final String NODES = "nodes";
    static final String LAUNCHER_PID = "launcher.pid";
    static final String READY = "ready";
    /** The image model of a real deployment, used when the models directory holds it. */
    static final String DEFAULT_MODEL = "siglip_base";

    private ClusterLauncher() {
    }

    /**
     * The image model the nodes get: {@value #DEFAULT_MODEL} when every file of it is in
     * {@code modelsDir}, otherwise the fixture encoder, with a note saying what that means.
     */
    record ImageModel(Path modelsDir, String name, Optional<String> note) {
        static ImageModel choose(Path modelsDir) {
            boolean installed = new ModelCatalog(modelsDir).find(DEFAULT_MODEL)
                    .map(m -> m.missingFiles(modelsDir.resolve(DEFAULT_MODEL)).isEmpty()).orElse(false);
            if (installed) return new ImageModel(modelsDir.toAbsolutePath(), DEFAULT_MODEL, Optional.empty());
            return new ImageModel(dev.loupe.testing.Fixtures.modelsDir().toAbsolutePath(), ModelRepository.FIXTURE_MODEL, Optional.of(
                    DEFAULT_MODEL + " is not installed in " + modelsDir.toAbsolutePath() + ", so the nodes run the fixture encoder ("
                            + ModelRepository.FIXTURE_MODEL + "): it tells colours apart and nothing else. `./loupe models` installs "
                            + DEFAULT_MODEL + "; the next `up` uses it."));
        }

        /** Flags after the fixture's own (later flags win): the models directory and the model. */
        List<String> flags() {
            return List.of("--models-dir", modelsDir.toString(), "--image-model", name);
        }
    }

    /** A cluster started by {@link #up}; {@link #close} stops every process of it and removes {@value #READY}. */
    public static final class Running implements AutoCloseable {
        private final Path dir;
        private final LoupeCluster cluster;

        private Running(Path dir, LoupeCluster cluster) {
            this.dir = dir;
            this.cluster = cluster;
        }

        public LoupeCluster cluster() {
            return cluster;
        }

        public Path description() {
            return dir.resolve(DESCRIPTION);
        }

        @Override
        public void close() {
            try {
                Files.deleteIfExists(dir.resolve(READY));
            } catch (IOException e) {
                // the script also checks that the launcher's process is alive
            }
            cluster.close();
        }
    }

    /**
     * Starts the cluster with {@code nodes} Loupe nodes in {@code dir/state} (which must not
     * exist: a cluster starts fresh), on the image model {@link ImageModel#choose} picks from
     * {@code modelsDir}, writes its description and process list, then {@value #READY}.
     */
    public static Running up(Path dir, int nodes, Path modelsDir) {
        Path state = dir.resolve("state");
        if (Files.exists(state)) throw new IllegalStateException(state + " exists: a cluster starts fresh (scripts/cluster.sh up removes it)");
        ImageModel model = ImageModel.choose(modelsDir);
        LoupeCluster cluster = LoupeCluster.start(state, LoupeCluster.Options.defaults(nodes).withExtraFlags(model.flags().toArray(String[]::new)));
        try {
            write(dir.resolve(PIDS), processes());
            StringBuilder urls = new StringBuilder();
            for (LoupeNode n : cluster.nodes()) urls.append(n.nodeId()).append(' ').append(n.base()).append('\n');
            write(dir.resolve(NODES), urls.toString());
            write(dir.resolve(DESCRIPTION), describe(cluster, model, dir));
            write(dir.resolve(READY), Instant.now().toString() + "\n");
            return new Running(dir, cluster);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Every process this JVM started, as {@code pid name} lines; a process's children end with it. */
    private static String processes() {
        StringBuilder sb = new StringBuilder();
        ProcessHandle.current().children().forEach(p -> sb.append(p.pid()).append(' ').append(name(p)).append('\n'));
        return sb.toString();
    }

    /** What a started process is, from its command line: {@code loupe node-a}, {@code kafka node-1}, {@code solr node0}, {@code postgresql}... */
    public static String name(ProcessHandle p) {
        List<String> args = arguments(p.pid());
        String line = String.join(" ", args);
        if (args.contains("dev.loupe.Loupe")) return "loupe " + after(args, "--node-id").orElse("?");
        if (args.contains("kafka.Kafka")) return "kafka " + Path.of(args.getLast()).getParent().getFileName();
        if (line.contains("ZooKeeperServerMain")) return "zookeeper";
        if (line.contains("SolrNode.java")) return "solr " + Path.of(args.get(args.size() - 3)).getFileName();
        if (line.contains("org.gaul.s3proxy")) return "s3proxy";
        if (line.contains("postgres")) return "postgresql";
        return p.info().command().orElse("?");
    }

    /**
     * The process's command line, program first, from {@code /proc}: {@link ProcessHandle.Info#arguments}
     * comes back empty for these JVMs, whose class paths are tens of kilobytes long.
     */
    private static List<String> arguments(long pid) {
        try {
            String raw = new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline")), StandardCharsets.UTF_8);
            return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
        } catch (IOException gone) {
            return List.of();
        }
    }

    private static Optional<String> after(List<String> args, String flag) {
        int at = args.lastIndexOf(flag);
        return at >= 0 && at + 1 < args.size() ? Optional.of(args.get(at + 1)) : Optional.empty();
    }

    private static String describe(LoupeCluster cluster, ImageModel model, Path dir) {
        LoupeCluster.Endpoints e = cluster.endpoints();
        List<String> out = new ArrayList<>();
        out.add("Loupe on loopback: " + cluster.nodes().size() + " nodes, started " + Instant.now().truncatedTo(ChronoUnit.SECONDS));
        out.add("image model: " + model.name() + " from " + model.modelsDir());
        model.note().ifPresent(n -> out.add("NOTE: " + n));
        out.add("admin key: " + TestServer.ADMIN_KEY);
        out.add("");
        out.add("nodes (any answers any request):");
        for (LoupeNode n : cluster.nodes()) out.add("  " + n.nodeId() + "  " + n.base());
        out.add("engines:");
        out.add("  PostgreSQL (catalog, work items)  " + e.catalogUrl());
        out.add("  Kafka, 3 brokers (work dispatch)  " + e.kafkaBootstrap());
        out.add("  SolrCloud, 3 nodes (documents)     " + String.join(",", e.solrUrls()));
        out.add("  S3Proxy (blobs, thumbnails)       " + e.s3Endpoint() + ", bucket " + LoupeCluster.BUCKET);
        out.add("");
        // The settings are the template of a real deployment: only the addresses, ids and key file change.
        for (LoupeNode n : cluster.nodes()) {
            out.add("settings of " + n.nodeId() + ":");
            out.add("  loupe serve \\\n    " + String.join(" \\\n    ", pairs(serveArguments(n))));
        }
        out.add("");
        out.add("try it (a bucket and a collection through one node, ingest and search through either):");
        LoupeNode first = cluster.nodes().getFirst();
        String api = "curl -s -H 'Authorization: Bearer " + TestServer.ADMIN_KEY + "' -H 'Content-Type: application/json' " + first.base();
        out.add("  " + api + "/v1/buckets -d '{\"bucket_name\": \"photos\", \"bucket_schema\": {\"properties\": {\"image\": {\"type\": \"image\"}}}}'");
        out.add("  " + api + "/v1/collections -d '{\"collection_name\": \"photo-images\", \"source\": {\"type\": \"bucket\", \"bucket_id\": \"photos\"},"
                + " \"feature_extractor\": {\"feature_extractor_name\": \"image_extractor\", \"version\": \"v1\", \"input_mappings\": {\"image\": \"payload.image\"}}}'");
        out.add("  export LOUPE_API_KEY=" + TestServer.ADMIN_KEY);
        out.add("  LOUPE_URL=" + first.base() + " ./loupe ingest PHOTOS/ --bucket photos --collection photo-images");
        out.add("  LOUPE_URL=" + cluster.nodes().getLast().base() + " ./loupe search \"red\" --collection photo-images");
        out.add("logs: target/engines/*.log; this cluster's files: " + dir.toAbsolutePath() + "; stop it: scripts/cluster.sh down");
        return String.join("\n", out) + "\n";
    }

    /** The node's {@code loupe serve} arguments as its process was given them (the fixture's own ones first), or its extra flags. */
    private static List<String> serveArguments(LoupeNode n) {
        List<String> args = arguments(n.process().pid());
        int serve = args.indexOf("serve");
        return serve >= 0 ? args.subList(serve + 1, args.size()) : n.flags();
    }

    /** {@code --flag value} on one line each; a switch alone. */
    private static List<String> pairs(List<String> args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--") && i + 1 < args.size() && !args.get(i + 1).startsWith("--")) out.add(a + " " + args.get(++i));
            else out.add(a);
        }
        return out;
    }

    /** Written whole or not at all: the script reads these files while this JVM writes them. */
    private static void write(Path file, String text) {
        try {
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            Files.writeString(partial, text, StandardCharsets.UTF_8);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code ClusterLauncher DIR NODES MODELS_DIR}: {@link #up}, then waits until this JVM is stopped. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: ClusterLauncher DIR NODES MODELS_DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        write(dir.resolve(LAUNCHER_PID), ProcessHandle.current().pid() + "\n");
        Running running = up(dir, Integer.parseInt(args[1]), Path.of(args[2]));
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "cluster-down"));
        System.out.println("cluster up; see " + running.description());
        Thread.currentThread().join();
    }
}
