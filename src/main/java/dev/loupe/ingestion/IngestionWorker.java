package dev.loupe.ingestion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Json;
import dev.loupe.blob.BlobException;
import dev.loupe.blob.BlobSource;
import dev.loupe.blob.BlobStore;
import dev.loupe.blob.UrlFetcher;
import dev.loupe.catalog.Blob;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Ids;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.StoredObject;
import dev.loupe.extractor.ExtractorCatalog;
import dev.loupe.extractor.ImageExtractor;
import dev.loupe.extractor.SourceView;
import dev.loupe.index.DocumentIndex;
import dev.loupe.index.IndexedDocument;
import dev.loupe.media.ImageDecoder;
import dev.loupe.media.ImageException;
import dev.loupe.media.Thumbnailer;
import dev.loupe.queue.ObjectDeletion;
import dev.loupe.queue.WorkItem;
import dev.loupe.queue.WorkQueue;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Processes queued work in batches: claims up to {@code batchSize} items, prepares each
 * one concurrently (resolve inputs, fetch, decode, thumbnail; fetches on virtual
 * threads, decoding bounded by the core count), embeds all images in one model call,
 * indexes the documents durably, and only then marks the items done. An item that
 * fails is recorded with its reason and the rest of the batch goes on.
 *
 * <p>Preparing and embedding overlap: while batch N is embedded and indexed, batch N+1
 * is already being fetched and decoded, so the model does not wait for I/O.
 */
public final class IngestionWorker implements Runnable {
    private static final Logger LOG = Logger.getLogger(IngestionWorker.class.getName());

    /** What the worker needs, wired once at start-up. */
    public record Dependencies(Catalog catalog, WorkQueue queue, DocumentIndex index, BlobStore sources,
                               BlobStore thumbnails, UrlFetcher fetcher, ImageDecoder decoder,
                               ExtractorCatalog extractors, ObjectDeletions deletions, long maxBlobBytes) {
    }

    private static final String THUMBNAIL_PREFIX = "/thumbnails/";
    private static final Pattern THUMBNAIL_PATH = Pattern.compile("/thumbnails/([0-9a-f]{64})\\.jpg");

    private final Dependencies d;
    private final int batchSize;
    private final Semaphore cpu = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));
    private volatile boolean stopped;

    public IngestionWorker(Dependencies dependencies, int batchSize) {
        this.d = dependencies;
        this.batchSize = batchSize;
    }

    public void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        CompletableFuture<List<Prepared>> inFlight = null;
        try (ExecutorService preparers = Executors.newVirtualThreadPerTaskExecutor()) {
            while (!stopped) {
                finishDeletions();
                try {
                    List<WorkItem> items = d.queue().claim(batchSize);
                    CompletableFuture<List<Prepared>> next = items.isEmpty() ? null
                            : CompletableFuture.supplyAsync(() -> prepareAll(items), preparers);
                    if (inFlight != null) embedAndIndex(inFlight.join());
                    else if (next == null) d.queue().awaitWork(500);
                    inFlight = next;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    // Items of a failed batch stay RUNNING and are redone after a restart; keep serving the rest.
                    LOG.log(Level.SEVERE, "ingestion batch failed", e);
                    inFlight = null;
                    sleepQuietly();
                }
            }
        }
    }

    /** Deletions that waited for items in flight to settle; a failure here must not drop the batch in flight. */
    private void finishDeletions() {
        try {
            d.deletions().finishOpen();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "finishing object deletions failed; will retry", e);
        }
    }

    /** One item ready to embed: its collection, its input and the fields its document will carry. */
    private record Prepared(WorkItem item, Collection collection, BufferedImage image, ObjectNode fields, long startedNanos) {
    }

    /** Prepares every item concurrently; items that cannot be prepared are recorded as failed. */
    private List<Prepared> prepareAll(List<WorkItem> items) {
        List<Prepared> ready = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Prepared>> futures = new ArrayList<>();
            for (WorkItem item : items) futures.add(pool.submit(() -> prepare(item)));
            for (int i = 0; i < items.size(); i++) {
                try {
                    ready.add(futures.get(i).get());
                } catch (java.util.concurrent.ExecutionException e) {
                    d.queue().fail(items.get(i), reason(e.getCause()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while preparing a batch", e);
                }
            }
        }
        return ready;
    }

    /** Embeds the prepared images in one call, indexes their documents durably, then marks them done. */
    private void embedAndIndex(List<Prepared> ready) {
        if (ready.isEmpty()) return;
        float[][] vectors;
        try {
            vectors = d.extractors().image().embed(ready.stream().map(Prepared::image).toList());
        } catch (RuntimeException e) {
            for (Prepared p : ready) d.queue().fail(p.item(), "embedding failed: " + reason(e));
            return;
        }
        Map<String, List<IndexedDocument>> byCollection = new LinkedHashMap<>();
        Map<WorkItem, IndexedDocument> produced = new LinkedHashMap<>();
        // Objects deleted while their items were prepared or embedded: writing their documents
        // now would bring them back (the deletion's own pass also catches a write that races this check).
        Set<String> deleted = d.queue().deletedAmong(ready.stream().map(p -> p.item().objectId()).toList());
        for (int i = 0; i < ready.size(); i++) {
            Prepared p = ready.get(i);
            WorkItem item = p.item();
            if (deleted.contains(item.objectId())) {
                d.queue().fail(item, ObjectDeletion.RUNNING_REASON);
                continue;
            }
            String docId = DocumentIds.of(item.collectionId(), item.objectId(), item.sourceDocumentId(), 0);
            ObjectNode fields = p.fields();
            fields.put("document_id", docId);
            fields.put("processing_time_ms", Math.round((System.nanoTime() - p.startedNanos()) / 1e6));
            IndexedDocument doc = new IndexedDocument(docId, item.collectionId(), fields,
                    Map.of(ImageExtractor.EMBEDDING_FIELD, vectors[i]));
            byCollection.computeIfAbsent(item.collectionId(), k -> new ArrayList<>()).add(doc);
            produced.put(item, doc);
        }
        for (Map.Entry<String, List<IndexedDocument>> e : byCollection.entrySet()) {
            try {
                d.index().upsert(e.getKey(), e.getValue());
            } catch (RuntimeException ex) {
                for (WorkItem item : List.copyOf(produced.keySet())) {
                    if (item.collectionId().equals(e.getKey())) {
                        d.queue().fail(item, "indexing failed: " + reason(ex));
                        produced.remove(item);
                    }
                }
            }
        }
        Map<String, List<Collection>> consumers = new java.util.HashMap<>();
        for (Map.Entry<WorkItem, IndexedDocument> e : produced.entrySet()) {
            WorkItem item = e.getKey();
            List<Collection> fed = consumers.computeIfAbsent(item.namespaceId() + "/" + item.collectionId(), k -> consumersOf(item));
            List<WorkItem.Request> followUps = new ArrayList<>();
            for (Collection col : fed) {
                followUps.add(new WorkItem.Request(item.taskId(), item.namespaceId(), col.collectionId(), item.objectId(), e.getValue().documentId()));
            }
            d.queue().complete(item, 1, followUps);
        }
    }

    private Prepared prepare(WorkItem item) throws Exception {
        long started = System.nanoTime();
        Collection col = d.catalog().find(Kind.COLLECTION, item.namespaceId(), item.collectionId())
                .orElseThrow(() -> new IllegalStateException("collection " + item.collectionId() + " was deleted"));
        StoredObject object = d.catalog().find(Kind.OBJECT, item.namespaceId(), item.objectId()).orElse(null);
        SourceView view = sourceView(item, col, object);
        ObjectNode fields = Json.object();
        fields.put("collection_id", col.collectionId());
        fields.put("root_object_id", item.objectId());
        if (object != null) {
            fields.put("root_bucket_id", object.bucketId());
            fields.put("source_object_id", object.objectId());
        }
        if (item.sourceDocumentId() != null) fields.put("source_document_id", item.sourceDocumentId());
        fields.put("source_type", col.source().type());
        fields.set("metadata", view.metadata().deepCopy());
        applyPassthrough(col, view, fields);

        String mapping = col.featureExtractor().inputMappings().path(ImageExtractor.INPUT).asText();
        SourceView.Value input = view.resolve(mapping).orElseThrow(
                () -> new IllegalArgumentException("input mapping image → '" + mapping + "' matches no blob or field of the source"));
        byte[] bytes = bytes(input);
        ImageDecoder.Decoded decoded;
        cpu.acquire();
        try {
            var model = d.extractors().image().encoder().preprocessing();
            decoded = d.decoder().decode(bytes, Math.max(Thumbnailer.WIDTH, model.width()), model.height());
            if (ImageExtractor.thumbnailsEnabled(col.featureExtractor().parameters())) {
                String sha = d.thumbnails().put(ImageExtractor.thumbnail(decoded.image()), "jpg");
                fields.put("thumbnail_url", "/thumbnails/" + sha + ".jpg");
            }
        } finally {
            cpu.release();
        }
        fields.put("created_at", Ids.now());
        return new Prepared(item, col, decoded.image(), fields, started);
    }

    private SourceView sourceView(WorkItem item, Collection col, StoredObject object) {
        if (item.sourceDocumentId() == null) {
            if (object == null) throw new IllegalStateException("object " + item.objectId() + " was deleted");
            ObjectNode metadata = object.metadata() instanceof ObjectNode o ? o : Json.object();
            ObjectNode fields = Json.object();
            fields.put("object_id", object.objectId());
            fields.put("bucket_id", object.bucketId());
            if (object.keyPrefix() != null) fields.put("key_prefix", object.keyPrefix());
            return new SourceView(object.blobs(), metadata, fields);
        }
        String upstreamId = switch (col.source()) {
            case Collection.Source.Upstream u -> u.collectionId();
            case Collection.Source.Buckets b -> throw new IllegalStateException("work item names source document "
                    + item.sourceDocumentId() + " but collection " + col.collectionId() + " reads buckets");
        };
        IndexedDocument upstream = d.index().get(upstreamId, item.sourceDocumentId())
                .orElseThrow(() -> new IllegalStateException("source document " + item.sourceDocumentId() + " was deleted"));
        JsonNode metadata = upstream.fields().path("metadata");
        return new SourceView(object == null ? List.of() : object.blobs(),
                metadata instanceof ObjectNode o ? o : Json.object(), upstream.fields());
    }

    private static void applyPassthrough(Collection col, SourceView view, ObjectNode fields) {
        if (col.featureExtractor().includeAllSourceFields()) {
            view.metadata().properties().forEach(e -> {
                if (!fields.has(e.getKey())) fields.set(e.getKey(), e.getValue().deepCopy());
            });
        }
        List<Collection.Passthrough> rules = col.featureExtractor().fieldPassthrough();
        if (rules == null) return;
        for (Collection.Passthrough rule : rules) {
            JsonNode value = view.resolveJson(rule.sourcePath()).orElse(rule.defaultValue());
            if (value == null) {
                if (rule.required()) throw new IllegalArgumentException("required passthrough field '" + rule.sourcePath() + "' is missing");
                continue;
            }
            SourceView.put(fields, rule.target(), value.deepCopy());
        }
    }

    private byte[] bytes(SourceView.Value input) throws BlobException {
        return switch (input) {
            case SourceView.Value.OfBlob b -> blobBytes(b.blob());
            case SourceView.Value.OfJson j -> {
                if (!j.json().isTextual()) throw new IllegalArgumentException("image input is " + j.json().getNodeType() + ", not a URL or data");
                String s = j.json().asText().strip();
                if (s.startsWith(THUMBNAIL_PREFIX)) yield thumbnailBytes(s);
                yield sourceBytes(parse(s));
            }
        };
    }

    /**
     * An upstream document's {@code thumbnail_url}: only a name this server gave a thumbnail
     * it stored, looked up in the thumbnail store. The text never becomes a file path, and
     * the refusal is the same whether or not anything exists at what it names, so neither
     * a file's bytes nor its existence leaks.
     */
    private byte[] thumbnailBytes(String reference) throws BlobException {
        Matcher m = THUMBNAIL_PATH.matcher(reference);
        Optional<Path> stored = m.matches() ? d.thumbnails().lookup(m.group(1), "jpg") : Optional.empty();
        if (stored.isEmpty()) {
            throw new BlobException("image input is not a thumbnail stored by this server: expected "
                    + THUMBNAIL_PREFIX + "<64 hex digits>.jpg naming one, an http(s) URL, a data: URI or base64");
        }
        try {
            return Files.readAllBytes(stored.get());
        } catch (IOException e) {
            throw new BlobException("stored thumbnail " + m.group(1) + " cannot be read");
        }
    }

    private byte[] blobBytes(Blob blob) throws BlobException {
        if (blob.sha256() != null) return d.sources().read(blob.sha256(), "bin");
        return sourceBytes(parse(blob.url()));
    }

    private BlobSource parse(String data) throws BlobException {
        try {
            return BlobSource.parse(data, d.maxBlobBytes());
        } catch (IllegalArgumentException e) {
            throw new BlobException(e.getMessage());
        }
    }

    private byte[] sourceBytes(BlobSource source) throws BlobException {
        byte[] bytes = switch (source) {
            case BlobSource.Inline in -> in.bytes();
            case BlobSource.Remote r -> d.fetcher().fetch(r.uri()).bytes();
        };
        d.sources().put(bytes, "bin");
        return bytes;
    }

    /** The collections that take this item's collection as their source; looked up once per batch. */
    private List<Collection> consumersOf(WorkItem item) {
        return d.catalog().list(Kind.COLLECTION, item.namespaceId(), null, Integer.MAX_VALUE, 0).stream()
                .filter(col -> col.source().readsCollection(item.collectionId()))
                .toList();
    }

    private static String reason(Throwable t) {
        if (t instanceof ImageException || t instanceof BlobException || t instanceof IllegalArgumentException
                || t instanceof IllegalStateException || t instanceof LoupeException) {
            return t.getMessage();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
