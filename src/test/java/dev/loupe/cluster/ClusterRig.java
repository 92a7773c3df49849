package dev.loupe.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.ClusterDefinition;
import dev.loupe.catalog.ClusterRun;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Database;
import dev.loupe.catalog.Kind;
import dev.loupe.extractor.ExtractorCatalog;
import dev.loupe.extractor.ImageExtractor;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.lucene.LuceneDocumentIndex;
import dev.loupe.inference.ModelDownloader;
import dev.loupe.inference.ModelRepository;
import dev.loupe.testing.Fixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A catalog, an index and {@link Clusters} in one directory, with one image collection whose documents a test writes itself. */
final class ClusterRig implements AutoCloseable {
    static final String NS = "ns_rig";
    static final String COLLECTION = "col_faces";

    final Database db;
    final Catalog catalog;
    final LuceneDocumentIndex index;
    final ModelRepository models;
    final ExtractorCatalog extractors;
    final Clusters clusters;

    ClusterRig(Path dir) {
        this(dir.resolve("index"), new Database(dir.resolve("catalog.db")), new Clusters.Node("test-node", Duration.ofMinutes(5), java.time.Clock.systemUTC()),
                null);
    }

    /** A node of its own ({@code node}, its index in {@code indexDir}) on {@code db}, which it closes; {@code executions} null: run at once. */
    ClusterRig(Path indexDir, Database db, Clusters.Node node, java.util.concurrent.ExecutorService executions) {
        this.db = db;
        catalog = new Catalog(db);
        index = new LuceneDocumentIndex(indexDir);
        models = new ModelRepository(Fixtures.modelsDir(), new ModelDownloader("http://127.0.0.1:9"), true);
        extractors = new ExtractorCatalog(models, Fixtures.MODEL);
        if (catalog.find(Kind.COLLECTION, NS, COLLECTION).isEmpty()) catalog.insert(Kind.COLLECTION, COLLECTION, NS, null, COLLECTION, new Collection(COLLECTION, NS, COLLECTION, null,
                new Collection.Source.Buckets(List.of("bkt_rig")),
                new Collection.ExtractorConfig("image_extractor", "v1", Json.object().put("image", "img"), List.of(), false, Json.object()),
                Json.object(), "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"));
        clusters = executions == null ? new Clusters(catalog, index, extractors, node) : new Clusters(catalog, index, extractors, node, executions);
    }

    static IndexedDocument doc(String id, String photo, float[] v) {
        ObjectNode fields = Json.object().put("document_id", id).put("root_object_id", photo).put("source_object_id", photo);
        return new IndexedDocument(id, COLLECTION, fields, Map.of(ImageExtractor.EMBEDDING_FIELD, v));
    }

    /** Writes {@code groups} as documents {@code d<i>}, each from a photo of its own. */
    void write(Groups groups) {
        List<IndexedDocument> docs = new java.util.ArrayList<>();
        for (int i = 0; i < groups.vectors().length; i++) docs.add(doc("d" + i, "photo" + i, groups.vectors()[i]));
        index.upsert(COLLECTION, docs);
    }

    ClusterDefinition define(String method, String params) {
        String body = "{\"collection_ids\": [\"" + COLLECTION + "\"], \"vector_config\": {\"clustering_method\": \"" + method
                + "\", \"algorithm_params\": " + params + "}}";
        return clusters.create(NS, ClusterConfig.parse(dev.loupe.api.Body.of(Json.parseRequest(body))), Json.object());
    }

    /** Executes and waits for the run to finish (a minute at most: it takes milliseconds). */
    ClusterRun execute(ClusterDefinition def) {
        var task = clusters.execute(NS, def.clusterId());
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (Instant.now().isBefore(deadline)) {
            ClusterRun run = clusters.runOf(task).orElseThrow();
            if (run.status() == ClusterRun.Status.COMPLETED || run.status() == ClusterRun.Status.FAILED) return run;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("cluster execution did not finish");
    }

    /** The cluster id written on document {@code id}, null for noise. */
    String clusterOf(String id) {
        var v = index.get(COLLECTION, id).orElseThrow().fields().path("cluster_id");
        return v.isNull() ? null : v.asText();
    }

    @Override
    public void close() {
        clusters.close();
        index.close();
        extractors.close();
        models.close();
        db.close();
    }
}
