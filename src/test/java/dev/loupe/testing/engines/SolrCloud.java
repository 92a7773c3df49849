package dev.loupe.testing.engines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * A SolrCloud cluster for tests: one ZooKeeper and {@code n} Solr 9 nodes, each a JVM of its own
 * on a free loopback port, from the jars of {@code engines/solr/pom.xml} (Solr ships Lucene 9,
 * Loupe runs Lucene 10). Nodes are started by {@code engines/solr/SolrNode.java}, a single-file
 * program the {@code java} launcher compiles itself, so the engine needs no build. Each node keeps
 * its cores under its own home, so {@link #kill9} and {@link #restart} model a crashed machine
 * that comes back with its disk.
 */
public final class SolrCloud implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofMinutes(3);
    private static final List<String> NODE_JVM = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "--enable-native-access=ALL-UNNAMED", "-Dsolr.log.dir=.", "-Dlog4j2.level=WARN");

    private final EngineProcess zookeeper;
    private final int zkPort;
    private final List<EngineProcess> nodes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SolrCloud(EngineProcess zookeeper, int zkPort) {
        this.zookeeper = zookeeper;
        this.zkPort = zkPort;
    }

    /** Starts ZooKeeper and {@code nodeCount} Solr nodes under {@code dir}, and waits until all have joined. */
    public static SolrCloud start(Path dir, int nodeCount) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        int zkPort = EngineProcess.freePort();
        Path zkDir = dir.resolve("zookeeper").toAbsolutePath();
        // ZooKeeper's admin server would bind 8080 on every address: a second cluster on the machine (or a Loupe) already has it.
        EngineProcess zk = EngineProcess.java("solr-zookeeper", "solr", List.of("-Xmx128m", "-XX:+UseSerialGC", "-Dzookeeper.admin.enableServer=false"),
                "org.apache.zookeeper.server.ZooKeeperServerMain", List.of(String.valueOf(zkPort), zkDir.toString()), zkDir);
        SolrCloud cloud = new SolrCloud(zk, zkPort);
        try {
            zk.awaitPort(zkPort, START_LIMIT);
            String launcher = Path.of("engines", "solr", "SolrNode.java").toAbsolutePath().toString();
            for (int i = 0; i < nodeCount; i++) {
                int port = EngineProcess.freePort();
                Path home = dir.resolve("node" + i).toAbsolutePath();
                cloud.ports.add(port);
                cloud.nodes.add(EngineProcess.java("solr-node" + i, "solr", NODE_JVM, launcher,
                        List.of(home.toString(), String.valueOf(port), cloud.zkHost()), home));
            }
            for (int i = 0; i < nodeCount; i++) cloud.awaitNode(i);
            cloud.awaitLiveNodes(nodeCount);
            return cloud;
        } catch (RuntimeException e) {
            cloud.close();
            throw e;
        }
    }

    private static SolrCloud shared;

    /**
     * The cluster the Solr test classes of this JVM share (three nodes), started by the first that
     * asks; its processes end with the JVM. A test that kills a node restarts it before it ends.
     */
    public static synchronized SolrCloud shared() {
        if (shared == null) shared = start(Path.of("target", "engines", "solr-cloud-" + ProcessHandle.current().pid()), 3);
        return shared;
    }

    public String zkHost() {
        return "127.0.0.1:" + zkPort;
    }

    public List<EngineProcess> nodes() {
        return List.copyOf(nodes);
    }

    public String baseUrl(int node) {
        return "http://127.0.0.1:" + ports.get(node) + "/solr";
    }

    public List<String> baseUrls() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) out.add(baseUrl(i));
        return out;
    }

    /** SIGKILL of node {@code i}: no clean shutdown, its ZooKeeper session expires on its own. */
    public void kill9(int i) {
        nodes.get(i).kill9();
    }

    /** Starts node {@code i} again with its home as it was left, and waits until it has rejoined. */
    public void restart(int i) {
        nodes.get(i).restart();
        awaitNode(i);
    }

    private void awaitNode(int i) {
        nodes.get(i).awaitPort(ports.get(i), START_LIMIT);
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get(baseUrl(i) + "/admin/info/system?wt=json").path("mode").asText().equals("solrcloud")) return;
            } catch (IOException | RuntimeException notYet) {
                // Jetty listens before Solr's core container is up
            }
            if (!nodes.get(i).isAlive()) break;
            pause();
        }
        throw new IllegalStateException("Solr node " + i + " did not come up; its log ends:\n" + nodes.get(i).logTail(60));
    }

    private void awaitLiveNodes(int count) {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get(baseUrl(0) + "/admin/collections?action=CLUSTERSTATUS&wt=json").path("cluster").path("live_nodes").size() >= count) {
                    return;
                }
            } catch (IOException | RuntimeException notYet) {
                // ZooKeeper has not seen every node yet
            }
            pause();
        }
        throw new IllegalStateException(count + " Solr nodes did not join within " + START_LIMIT);
    }

    /**
     * Per shard of {@code collection}: its replicas as {@code node:state[:leader]}, read from node
     * {@code via}'s view of the cluster; {@code state} is Solr's (active, down, recovering).
     */
    public Map<String, List<String>> replicas(String collection, int via) {
        try {
            JsonNode shards = get(baseUrl(via) + "/admin/collections?action=CLUSTERSTATUS&wt=json&collection=" + collection)
                    .path("cluster").path("collections").path(collection).path("shards");
            Map<String, List<String>> out = new TreeMap<>();
            for (Map.Entry<String, JsonNode> shard : shards.properties()) {
                List<String> rs = new ArrayList<>();
                for (JsonNode r : shard.getValue().path("replicas")) {
                    rs.add(r.path("base_url").asText() + ":" + r.path("state").asText() + (r.path("leader").asBoolean() ? ":leader" : ""));
                }
                out.put(shard.getKey(), rs);
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits until every shard of {@code collection} has an active leader on a running node, as seen from node {@code via}. */
    public void awaitLeaders(String collection, int via) {
        awaitShards(collection, via, "got no live leaders", (shard, up) -> {
            for (JsonNode r : shard.path("replicas")) if (r.path("leader").asBoolean() && up.test(r)) return true;
            return false;
        });
    }

    /** Waits until every replica of {@code collection} is active on a running node (a restarted node's have recovered). */
    public void awaitRecovered(String collection, int via) {
        awaitShards(collection, via, "did not all recover", (shard, up) -> {
            for (JsonNode r : shard.path("replicas")) if (!up.test(r)) return false;
            return true;
        });
    }

    /**
     * Waits until {@code ready} holds of every shard of {@code collection} as node {@code via} sees it,
     * given which replicas are up: active, on a live node whose process runs.
     */
    private void awaitShards(String collection, int via, String failure, BiPredicate<JsonNode, Predicate<JsonNode>> ready) {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                JsonNode cluster = get(baseUrl(via) + "/admin/collections?action=CLUSTERSTATUS&wt=json&collection=" + collection).path("cluster");
                List<String> live = new ArrayList<>();
                cluster.path("live_nodes").forEach(n -> live.add(n.asText()));
                // ZooKeeper lists a killed node as live until its session expires: its process says it is gone.
                Predicate<JsonNode> up = r -> r.path("state").asText().equals("active") && live.contains(r.path("node_name").asText())
                        && running(r.path("node_name").asText());
                boolean all = true;
                for (JsonNode shard : cluster.path("collections").path(collection).path("shards")) all &= ready.test(shard, up);
                if (all) return;
            } catch (IOException | RuntimeException notYet) {
                // a node is busy with an election or still starting
            }
            pause();
        }
        throw new IllegalStateException("the shards of " + collection + " " + failure + " within " + START_LIMIT
                + ": " + replicas(collection, via));
    }

    /** One replica of a collection: its shard, its core's URL ({@code <base_url>/<core>}), Solr's state of it, whether it leads. */
    public record Replica(String shard, String coreUrl, String state, boolean leader) {
    }

    /** Every replica of {@code collection}, as node {@code via} sees the cluster. */
    public List<Replica> replicaList(String collection, int via) {
        try {
            JsonNode shards = get(baseUrl(via) + "/admin/collections?action=CLUSTERSTATUS&wt=json&collection=" + collection)
                    .path("cluster").path("collections").path(collection).path("shards");
            List<Replica> out = new ArrayList<>();
            for (Map.Entry<String, JsonNode> shard : shards.properties()) {
                for (JsonNode r : shard.getValue().path("replicas")) {
                    out.add(new Replica(shard.getKey(), r.path("base_url").asText() + "/" + r.path("core").asText(),
                            r.path("state").asText(), r.path("leader").asBoolean()));
                }
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Whether the node ZooKeeper names {@code nodeName} ({@code 127.0.0.1:<port>_solr}) is one of ours whose process runs. */
    private boolean running(String nodeName) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodeName.equals("127.0.0.1:" + ports.get(i) + "_solr")) return nodes.get(i).isAlive();
        }
        return false;
    }

    /** Deletes every collection and the configsets they were given: tests share one cluster, and each node's heap is small. */
    public void deleteCollections() {
        try {
            for (JsonNode c : get(baseUrl(0) + "/admin/collections?action=LIST&wt=json").path("collections")) {
                get(baseUrl(0) + "/admin/collections?action=DELETE&wt=json&name=" + c.asText());
            }
            for (JsonNode c : get(baseUrl(0) + "/admin/configs?action=LIST&wt=json").path("configSets")) {
                if (c.asText().contains(".schema")) get(baseUrl(0) + "/admin/configs?action=DELETE&wt=json&name=" + c.asText());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private JsonNode get(String url) throws IOException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return Json.read(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (EngineProcess n : nodes) n.close();
        zookeeper.close();
    }
}
