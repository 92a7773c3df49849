package dev.loupe.ingestion;

import dev.loupe.api.Json;
import dev.loupe.blob.BlobStore;
import dev.loupe.blob.FileBlobStore;
import dev.loupe.blob.UrlFetcher;
import dev.loupe.catalog.Blob;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Database;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.StoredObject;
import dev.loupe.cluster.Clusters;
import dev.loupe.extractor.ExtractorCatalog;
import dev.loupe.index.lucene.LuceneDocumentIndex;
import dev.loupe.inference.ModelDownloader;
import dev.loupe.inference.ModelRepository;
import dev.loupe.media.ImageDecoder;
import dev.loupe.queue.SqlWorkQueue;
import dev.loupe.queue.WorkItem;
import dev.loupe.queue.WorkQueue;
import dev.loupe.testing.Fixtures;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * The worker's whole world in one directory, wired by hand so that a test can put a queue
 * that fails where it likes between the worker and SQLite, and start, interrupt and stop
 * the worker's thread itself. Collections read image property {@code img} of bucket
 * {@code bkt} in the namespace they are made in.
 */
final class WorkerRig implements AutoCloseable {
    static final String BUCKET = "bkt_rig";
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    final Database db;
    final Catalog catalog;
    final SqlWorkQueue store;
    final LuceneDocumentIndex index;
    final BlobStore sources;
    final BlobStore thumbnails;
    final UrlFetcher fetcher;
    final ImageDecoder decoder;
    final ModelRepository models;
    final ExtractorCatalog extractors;
    final ObjectDeletions deletions;
    final Ingestion ingestion;
    final Clusters clusters;
    private IngestionWorker worker;
    private Thread thread;

    /** @param fetcher fetches blob URLs; loopback only in tests */
    WorkerRig(Path dir, UrlFetcher fetcher) {
        db = new Database(dir.resolve("catalog.db"));
        catalog = new Catalog(db);
        store = new SqlWorkQueue(db, 3);
        index = new LuceneDocumentIndex(dir.resolve("index"));
        sources = new FileBlobStore(dir.resolve("blobs"));
        thumbnails = new FileBlobStore(dir.resolve("thumbnails"));
        this.fetcher = fetcher;
        decoder = new ImageDecoder(50_000_000L);
        models = new ModelRepository(Fixtures.modelsDir(), new ModelDownloader("http://127.0.0.1:9"), true);
        extractors = new ExtractorCatalog(models, Fixtures.MODEL);
        deletions = new ObjectDeletions(catalog, store, index);
        ingestion = new Ingestion(catalog, store, index, deletions);
        clusters = new Clusters(catalog, index, extractors);
    }

    /** A fetcher for loopback servers, with bounds far beyond any test's wait. */
    static UrlFetcher patientFetcher() {
        return new UrlFetcher(UrlFetcher.Options.defaults(true, 20L << 20).withTotalTimeout(Duration.ofMinutes(10))
                .withMinimumRate(0, Duration.ofMinutes(10)));
    }

    String collection(String namespaceId) {
        String id = "col_" + namespaceId;
        catalog.insert(Kind.COLLECTION, id, namespaceId, null, id, new Collection(id, namespaceId, id, null,
                new Collection.Source.Buckets(List.of(BUCKET)),
                new Collection.ExtractorConfig("image_extractor", "v1", Json.object().put("image", "img"), List.of(), false, Json.object()),
                Json.object(), "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"));
        return id;
    }

    /** An object whose image is stored here (inline data). */
    String storedObject(String namespaceId, String objectId, byte[] image) {
        String sha = sources.put(image, "bin");
        return object(namespaceId, objectId, new Blob("blob_" + objectId, "img", "image", null, null, sha, (long) image.length, "image/jpeg", null));
    }

    /** An object whose image is at {@code url}, fetched when processed. */
    String urlObject(String namespaceId, String objectId, String url) {
        return object(namespaceId, objectId, new Blob("blob_" + objectId, "img", "image", null, url, null, null, null, null));
    }

    private String object(String namespaceId, String objectId, Blob blob) {
        catalog.insert(Kind.OBJECT, objectId, namespaceId, BUCKET, null, new StoredObject(objectId, BUCKET, namespaceId, null,
                List.of(blob), Json.object(), "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"));
        return objectId;
    }

    void enqueue(String taskId, String namespaceId, String... objectIds) {
        for (String o : objectIds) store.enqueue(List.of(new WorkItem.Request(taskId, namespaceId, "col_" + namespaceId, o, null)));
    }

    /** Starts one worker with batches of {@code batchSize} on a platform thread, reading the queue through {@code queue}. */
    IngestionWorker start(WorkQueue queue, int batchSize) {
        return start(queue, batchSize, index);
    }

    /** As {@link #start(WorkQueue, int)}, the worker writing its documents through {@code workerIndex} (one that fails where a test likes). */
    IngestionWorker start(WorkQueue queue, int batchSize, dev.loupe.index.DocumentIndex workerIndex) {
        worker = new IngestionWorker(new IngestionWorker.Dependencies(catalog, queue, workerIndex, sources, thumbnails, fetcher, decoder,
                extractors, deletions, clusters.assignment(), 20L << 20, new dev.loupe.metrics.Metrics()), batchSize);
        ingestion.watch(worker);
        thread = Thread.ofPlatform().name("rig-worker").daemon().start(worker);
        return worker;
    }

    Thread thread() {
        return thread;
    }

    /** State and error of every item of the object, oldest first, read from the table itself. */
    Map<Long, String> items(String objectId) {
        return db.inTransaction(c -> {
            Map<Long, String> out = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, state, attempts, error FROM work_items WHERE object_id = ? ORDER BY seq")) {
                ps.setString(1, objectId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.put(rs.getLong(1), rs.getString(2) + "/" + rs.getInt(3) + (rs.getString(4) == null ? "" : ": " + rs.getString(4)));
                }
            }
            return out;
        });
    }

    /** The state of the object's only item. */
    WorkItem.State state(String objectId) {
        return WorkItem.State.valueOf(items(objectId).values().iterator().next().split("/")[0]);
    }

    /** Waits until {@code condition} holds; the deadline only turns a hang into a failure. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("never happened: " + what);
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        if (worker != null) {
            worker.stop();
            thread.interrupt();
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        clusters.close();
        extractors.close();
        index.close();
        models.close();
        db.close();
    }
}
