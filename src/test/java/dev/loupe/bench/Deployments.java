package dev.loupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.testing.Api;
import dev.loupe.testing.TestServer;
import dev.loupe.testing.engines.LoupeCluster;
import dev.loupe.testing.engines.LoupeNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

/**
 * The two deployments {@link ClusterBenchmark} compares, each Loupe a {@link LoupeNode} (a JVM of
 * its own, {@code -Xmx512m}, the fixture encoder), so that both pay the same for HTTP and JVMs.
 */
final class Deployments {
    static final String ADMIN_KEY = TestServer.ADMIN_KEY;

    private Deployments() {
    }

    /** One Loupe on SQLite, Lucene and files under {@code dir}, with two ingestion workers. */
    static ClusterBenchmark.Deployment embedded(Path dir) {
        LoupeNode node = LoupeNode.start("embedded", dir, List.of("--workers", "2"));
        return new ClusterBenchmark.Deployment() {
            @Override
            public List<Api> nodes() {
                return List.of(node.admin(null));
            }

            @Override
            public ClusterBenchmark.Sizes sizes(String collectionId, int documents) throws Exception {
                long index = ClusterBenchmark.treeSize(dir.resolve("index"));
                long catalog = sqliteBytes(dir.resolve("catalog.db"));
                return new ClusterBenchmark.Sizes("Lucene " + mb(index) + " for " + documents + " documents", index / (double) documents,
                        "SQLite " + mb(catalog) + " (pages in use, the WAL's included)", catalog / (double) documents);
            }

            @Override
            public void close() {
                node.close();
            }
        };
    }

    /** {@code nodes} Loupe nodes on the loopback engines ({@link LoupeCluster}'s default shape), one ingestion worker each. */
    static ClusterBenchmark.Deployment cluster(Path dir, int nodes) {
        LoupeCluster cluster = LoupeCluster.start(dir, LoupeCluster.Options.defaults(nodes).withWorkers(1));
        return new ClusterBenchmark.Deployment() {
            @Override
            public List<Api> nodes() {
                return cluster.nodes().stream().map(n -> n.admin(null)).toList();
            }

            @Override
            public ClusterBenchmark.Sizes sizes(String collectionId, int documents) throws Exception {
                long bytes = 0;
                long docs = 0;
                int cores = 0;
                HttpClient http = HttpClient.newHttpClient();
                for (String base : cluster.solr().baseUrls()) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/cores?action=STATUS&wt=json")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    for (var core : Json.read(r.body()).path("status").properties()) {
                        if (!core.getKey().contains(collectionId)) continue;
                        JsonNode index = core.getValue().path("index");
                        bytes += index.path("sizeInBytes").asLong();
                        docs += index.path("numDocs").asLong();
                        cores++;
                    }
                }
                int copies = cluster.options().solrReplicas();
                long catalog = postgresBytes(cluster.catalogUrl());
                return new ClusterBenchmark.Sizes("Solr " + mb(bytes) + " in " + cores + " cores (" + cluster.options().solrShards()
                        + " shards × " + copies + " replicas), " + docs + " Solr documents in all for " + documents + " Loupe documents",
                        bytes / (double) copies / documents,
                        "PostgreSQL " + mb(catalog) + " (tables, indexes and TOAST of the database)", catalog / (double) documents);
            }

            @Override
            public void close() {
                cluster.close();
            }
        };
    }

    /** The bytes of the pages in use, as a reader sees the database: pages still in the WAL count, free pages do not. */
    private static long sqliteBytes(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + file.toAbsolutePath() + "?mode=ro");
             Statement s = c.createStatement()) {
            long pages = single(s, "PRAGMA page_count") - single(s, "PRAGMA freelist_count");
            return pages * single(s, "PRAGMA page_size");
        }
    }

    private static long single(Statement s, String sql) throws Exception {
        try (ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    /** The bytes of every user table of the catalog's database, with its indexes and TOAST. */
    private static long postgresBytes(String catalogUrl) throws Exception {
        URI u = URI.create(catalogUrl);
        String user = u.getUserInfo();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(), user, "");
             Statement s = c.createStatement()) {
            return single(s, "SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_stat_user_tables");
        }
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }
}
