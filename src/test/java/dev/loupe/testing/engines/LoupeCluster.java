package dev.loupe.testing.engines;

import dev.loupe.testing.Api;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Loupe scaled out on loopback, every engine a process of its own: a fresh database on the
 * test JVM's PostgreSQL ({@link Postgres#shared}), a 3-broker {@link KafkaCluster}, the shared
 * 3-node {@link SolrCloud} (Solr's Lucene is not Loupe's), an {@link S3Server} with one bucket,
 * and {@code n} {@link LoupeNode}s configured for all of them, as a real deployment would be.
 * Tests reach each engine through its accessor to kill it; {@link #restoreAll} brings back
 * whatever was killed, so the next test starts on a full cluster.
 *
 * <pre>{@code
 * try (LoupeCluster cluster = LoupeCluster.start(dir, LoupeCluster.Options.defaults(2))) {
 *     Api a = cluster.node(0).admin("shop");
 *     ...
 *     cluster.solr().kill9(1);
 *     ...
 *     cluster.restoreAll();
 * }
 * }</pre>
 *
 * A node's flags are built in one place, {@link #flags(String, Endpoints)}, from the
 * {@link Endpoints} it is given: {@link #addNode(String, Endpoints)} lets one node reach the
 * engines through other addresses (proxies that can stop forwarding, for a partition).
 * {@link #main} starts the same cluster for a person and keeps it up until it is stopped.
 */
public final class LoupeCluster implements AutoCloseable {
    /** The bucket every node keeps its blobs and thumbnails in. */
    public static final String BUCKET = "loupe-cluster";
    /** The Kafka topic of the work queue; each cluster has brokers of its own, so one name does. */
    public static final String TOPIC = "loupe.cluster";

    /**
     * Where one node reaches the engines.
     *
     * @param catalogUrl     the PostgreSQL catalog, {@code postgresql://user@host:port/db}
     * @param kafkaBootstrap brokers, {@code host:port,host:port}
     * @param solrUrls       Solr nodes' base URLs, {@code http://host:port/solr}
     * @param s3Endpoint     the S3-compatible store's base URL
     */
    public record Endpoints(String catalogUrl, String kafkaBootstrap, List<String> solrUrls, URI s3Endpoint) {
        public Endpoints {
            if (catalogUrl == null || kafkaBootstrap == null || solrUrls == null || solrUrls.isEmpty() || s3Endpoint == null) {
                throw new IllegalArgumentException("every engine needs an address: " + catalogUrl + ", " + kafkaBootstrap + ", "
                        + solrUrls + ", " + s3Endpoint);
            }
            solrUrls = List.copyOf(solrUrls);
        }
    }

    /**
     * The shape of a cluster.
     *
     * @param nodes           Loupe nodes started with the engines (named {@code node-a}, {@code node-b}, ...)
     * @param kafkaPartitions partitions of the work topic: the most nodes that take work at once
     * @param solrShards      shards of each Solr collection
     * @param solrReplicas    replicas of each shard: 2 on 3 Solr nodes keeps every shard answering when one dies
     * @param workers         ingestion worker threads per node
     * @param extraFlags      flags every node gets after the engines' ({@code --batch-size 8}, say)
     */
    public record Options(int nodes, int kafkaPartitions, int solrShards, int solrReplicas, int workers, List<String> extraFlags) {
        public Options {
            if (nodes < 0) throw new IllegalArgumentException("nodes must be at least 0, got: " + nodes);
            if (kafkaPartitions < 1) throw new IllegalArgumentException("kafkaPartitions must be at least 1, got: " + kafkaPartitions);
            if (solrShards < 1 || solrReplicas < 1) throw new IllegalArgumentException("shards and replicas must be at least 1");
            if (workers < 1) throw new IllegalArgumentException("workers must be at least 1, got: " + workers);
            extraFlags = List.copyOf(extraFlags);
        }

        public static Options defaults(int nodes) {
            return new Options(nodes, 6, 2, 2, 1, List.of());
        }

        public Options withExtraFlags(String... flags) {
            return new Options(nodes, kafkaPartitions, solrShards, solrReplicas, workers, List.of(flags));
        }

        public Options withWorkers(int workers) {
            return new Options(nodes, kafkaPartitions, solrShards, solrReplicas, workers, extraFlags);
        }
    }

    private final Path dir;
    private final Options options;
    private final String catalogUrl;
    private final KafkaCluster kafka;
    private final SolrCloud solr;
    private final S3Server s3;
    private final Path s3Keys;
    private final Map<String, LoupeNode> nodes = new LinkedHashMap<>();

    private LoupeCluster(Path dir, Options options, String catalogUrl, KafkaCluster kafka, SolrCloud solr, S3Server s3, Path s3Keys) {
        this.dir = dir;
        this.options = options;
        this.catalogUrl = catalogUrl;
        this.kafka = kafka;
        this.solr = solr;
        this.s3 = s3;
        this.s3Keys = s3Keys;
    }

    /** The engines and {@code options.nodes()} Loupe nodes under {@code dir}; returns once every node answers. */
    public static LoupeCluster start(Path dir, Options options) {
        LoupeCluster cluster = startEngines(dir, options);
        try {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < options.nodes(); i++) ids.add(nodeName(i));
            cluster.addNodes(ids);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** {@link #start(Path, Options)} with the default shape and {@code nodes} nodes. */
    public static LoupeCluster start(Path dir, int nodes) {
        return start(dir, Options.defaults(nodes));
    }

    /**
     * The engines alone, no Loupe node yet: for a test that puts something (a proxy) between a
     * node and the engines before it starts the node with {@link #addNode(String, Endpoints)}.
     */
    public static LoupeCluster startEngines(Path dir, Options options) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The engines start side by side: Kafka's and S3Proxy's JVMs take seconds each to come up.
        CompletableFuture<String> catalog = CompletableFuture.supplyAsync(() -> Postgres.shared().freshDatabase(4).url());
        CompletableFuture<SolrCloud> solr = CompletableFuture.supplyAsync(SolrCloud::shared);
        CompletableFuture<S3Server> s3 = CompletableFuture.supplyAsync(() -> S3Server.start(dir.resolve("s3")));
        KafkaCluster kafka = null;
        try {
            // Proxied: idle proxies cost nothing, and a node put behind them (NodePartitionTest) can be cut off Kafka.
            kafka = KafkaCluster.start(dir.resolve("kafka"), 3, true);
            S3Server store = join(s3);
            store.createBucket(BUCKET);
            Path keys = store.keyFile(Files.createDirectories(dir.resolve("keys")));
            return new LoupeCluster(dir, options, join(catalog), kafka, join(solr), store, keys);
        } catch (IOException | RuntimeException e) {
            if (kafka != null) kafka.close();
            s3.thenAccept(S3Server::close);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** {@code node-a}, {@code node-b}, ... */
    public static String nodeName(int i) {
        return "node-" + (char) ('a' + i);
    }

    /** Starts node {@code nodeId} on the engines' own addresses. */
    public LoupeNode addNode(String nodeId) {
        return addNode(nodeId, endpoints());
    }

    /** Starts node {@code nodeId} reaching the engines at {@code endpoints}; returns once it answers. */
    public LoupeNode addNode(String nodeId, Endpoints endpoints) {
        synchronized (nodes) {
            if (nodes.containsKey(nodeId)) throw new IllegalArgumentException("node " + nodeId + " exists already");
        }
        LoupeNode node = LoupeNode.start(nodeId, dir.resolve(nodeId), flags(nodeId, endpoints));
        synchronized (nodes) {
            nodes.put(nodeId, node);
        }
        return node;
    }

    /** Starts several nodes on the engines' own addresses, side by side; they join the catalog in the order given. */
    public List<LoupeNode> addNodes(List<String> nodeIds) {
        List<CompletableFuture<LoupeNode>> started = new ArrayList<>();
        for (String id : nodeIds) started.add(CompletableFuture.supplyAsync(() -> addNode(id)));
        List<LoupeNode> out = new ArrayList<>();
        for (CompletableFuture<LoupeNode> f : started) out.add(join(f));
        return out;
    }

    /** Where the engines listen, as a node reaches them unless told otherwise. */
    public Endpoints endpoints() {
        return new Endpoints(catalogUrl, kafka.bootstrapServers(), solr.baseUrls(), s3.endpoint());
    }

    /**
     * The {@code loupe serve} flags of node {@code nodeId} reaching the engines at
     * {@code endpoints}: the one place a node's configuration is made. The fixture's own flags
     * (port, data directory, models, admin key) are {@link LoupeNode}'s.
     */
    public List<String> flags(String nodeId, Endpoints endpoints) {
        List<String> flags = new ArrayList<>(List.of(
                "--node-id", nodeId,
                "--catalog-url", endpoints.catalogUrl(), "--catalog-pool-size", "4",
                "--queue", "kafka", "--kafka-bootstrap", endpoints.kafkaBootstrap(), "--kafka-topic", TOPIC,
                "--kafka-partitions", String.valueOf(options.kafkaPartitions()),
                "--index", "solr", "--solr-url", String.join(",", endpoints.solrUrls()),
                "--solr-shards", String.valueOf(options.solrShards()), "--solr-replicas", String.valueOf(options.solrReplicas()),
                "--blob-store", "s3", "--s3-endpoint", endpoints.s3Endpoint().toString(), "--s3-bucket", BUCKET,
                "--s3-access-key-file", s3Keys.toAbsolutePath().toString(),
                "--workers", String.valueOf(options.workers())));
        flags.addAll(options.extraFlags());
        return flags;
    }

    /** The flags node {@code nodeId} was started with. */
    public List<String> flags(String nodeId) {
        return node(nodeId).flags();
    }

    public LoupeNode node(String nodeId) {
        synchronized (nodes) {
            LoupeNode n = nodes.get(nodeId);
            if (n == null) throw new IllegalArgumentException("no node " + nodeId + "; the cluster has " + nodes.keySet());
            return n;
        }
    }

    /** The {@code i}th node started (0-based). */
    public LoupeNode node(int i) {
        return nodes().get(i);
    }

    public List<LoupeNode> nodes() {
        synchronized (nodes) {
            return List.copyOf(nodes.values());
        }
    }

    /** The admin API of node {@code i} in {@code namespace}. */
    public Api admin(int i, String namespace) {
        return node(i).admin(namespace);
    }

    public String catalogUrl() {
        return catalogUrl;
    }

    public KafkaCluster kafka() {
        return kafka;
    }

    /** The SolrCloud this JVM's tests share: kill a node of it, never close it. */
    public SolrCloud solr() {
        return solr;
    }

    public S3Server s3() {
        return s3;
    }

    public Options options() {
        return options;
    }

    /**
     * Restarts every Solr node, Kafka broker and Loupe node that is not running (after a
     * {@code kill9}), and waits until each is back: the next test finds the cluster whole.
     */
    public void restoreAll() {
        restoreSolr();
        String[] brokers = kafka.bootstrapServers().split(",");
        for (int i = 0; i < brokers.length; i++) if (!listening(brokers[i])) kafka.restart(i);
        for (LoupeNode n : nodes()) if (!n.isAlive()) n.restart();
    }

    private static boolean listening(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A failure message's appendix: the last lines of each node's log. */
    public String nodeLogs(int lines) {
        StringBuilder sb = new StringBuilder();
        for (LoupeNode n : nodes()) sb.append("\n--- ").append(n.nodeId()).append(" ---\n").append(n.logTail(lines));
        return sb.toString();
    }

    /**
     * Stops the nodes, the brokers and the S3 server, and deletes the Solr collections (the
     * SolrCloud and PostgreSQL servers are shared by this JVM's tests and end with it).
     */
    @Override
    public void close() {
        for (LoupeNode n : nodes()) n.close();
        kafka.close();
        s3.close();
        try {
            restoreSolr();
            solr.deleteCollections();
        } catch (RuntimeException e) {
            // a cluster that cannot be tidied still closes; the next test's own setup reports the cause
        }
    }

    /**
     * Restarts the Solr nodes that are down and waits until every node sees every replica
     * active: a node just back answers 404 for a collection created before its view of the
     * cluster caught up, which a next test would meet as a failed write.
     */
    private void restoreSolr() {
        boolean restarted = false;
        for (int i = 0; i < solr.nodes().size(); i++) {
            if (!solr.nodes().get(i).isAlive()) {
                solr.restart(i);
                restarted = true;
            }
        }
        if (restarted) awaitSolrReplicasActive(java.time.Duration.ofMinutes(3));
    }

    /** The Solr collections there are, from the Collections API of the first node. */
    private List<String> solrCollections() {
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            URI.create(solr.baseUrl(0) + "/admin/collections?action=LIST&wt=json")).timeout(java.time.Duration.ofSeconds(60)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            List<String> out = new ArrayList<>();
            dev.loupe.api.Json.read(response.body()).path("collections").forEach(c -> out.add(c.asText()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitSolrReplicasActive(java.time.Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        for (String collection : solrCollections()) {
            for (int via = 0; via < solr.nodes().size(); via++) {
                while (true) {
                    Map<String, List<String>> replicas = solr.replicas(collection, via);
                    boolean active = !replicas.isEmpty() && replicas.values().stream().flatMap(List::stream).allMatch(r -> r.contains(":active"));
                    if (active) break;
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the replicas of " + collection + " are not all active after " + limit + ", as node " + via
                                + " sees them: " + replicas);
                    }
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
    }
}
