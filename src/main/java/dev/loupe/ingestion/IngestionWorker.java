package dev.loupe.ingestion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Json;
import dev.loupe.blob.BlobException;
import dev.loupe.blob.BlobSource;
import dev.loupe.blob.BlobStore;
import dev.loupe.blob.ThumbnailRef;
import dev.loupe.blob.UrlFetcher;
import dev.loupe.catalog.Blob;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Ids;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.StoredObject;
import dev.loupe.cluster.ClusterAssignment;
import dev.loupe.extractor.ExtractorCatalog;
import dev.loupe.extractor.ExtractedDocument;
import dev.loupe.extractor.FeatureExtractor;
import dev.loupe.extractor.PreparedInput;
import dev.loupe.extractor.SourceView;
import dev.loupe.index.DocumentIndex;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.ProducedDocuments;
import dev.loupe.media.ImageDecoder;
import dev.loupe.metrics.Metrics;
import dev.loupe.media.ImageException;
import dev.loupe.queue.ObjectDeletion;
import dev.loupe.queue.WorkItem;
import dev.loupe.queue.WorkQueue;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Processes queued work for every extractor alike: keeps up to {@code 4 × batchSize} items in
 * flight, each prepared on its own virtual thread (resolve inputs, fetch, decode, and the
 * extractor's {@linkplain FeatureExtractor#prepare preparation}: tensors, thumbnail; bounded by
 * the core count), runs each extractor once over whatever is ready, up to {@code batchSize}
 * inputs, and hands the documents to a writer thread that indexes them and marks their items
 * done while the model goes on with the next batch. Nothing waits for a slow item but the item itself: a fetch
 * trickling in for a minute holds one slot while other items, of any namespace, come and
 * go around it; claims take namespaces in turn, and a namespace holding half the slots
 * takes more only from what the others leave, never the last quarter.
 *
 * <p>Every item ends DONE, FAILED with its reason, or back in the queue: a
 * {@code Throwable} of any kind (an {@code Error} from a buggy extractor included) fails
 * the item it came from; an outcome that cannot be recorded (a full disk) puts the item
 * back to PENDING, its attempt counted, and what even that cannot settle is kept and
 * settled again with backoff before more work is claimed. The thread ends only when
 * {@linkplain #stop stopped}; if it ends otherwise, {@link #failure} says why, for
 * {@code /v1/health}.
 */
public final class IngestionWorker implements Runnable {
    private static final Logger LOG = Logger.getLogger(IngestionWorker.class.getName());
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    private static final long LINGER_MILLIS = 20;
    private static final int WRITES_AHEAD = 2;

    /** What the worker needs, wired once at start-up. */
    public record Dependencies(Catalog catalog, WorkQueue queue, DocumentIndex index, BlobStore sources,
                               BlobStore thumbnails, UrlFetcher fetcher, ImageDecoder decoder,
                               ExtractorCatalog extractors, ObjectDeletions deletions, ClusterAssignment clusters, long maxBlobBytes,
                               Metrics metrics) {
    }


    private final Dependencies d;
    private final int batchSize;
    private final int maxInFlight;
    private final Semaphore cpu = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));
    /** Items whose preparation ended, in the order they ended; filled by the preparing threads. */
    private final BlockingQueue<Outcome> ended = new LinkedBlockingQueue<>();
    /** Items claimed and not yet taken from {@link #ended}, per namespace; touched by the worker thread only. */
    private final Map<String, Integer> inFlight = new HashMap<>();
    /** Items whose failure or release could not be recorded; settled again before more work is claimed. */
    private final Map<WorkItem, String> unsettled = Collections.synchronizedMap(new LinkedHashMap<>());
    /**
     * Writes documents and records outcomes, one batch after another, while the worker's
     * thread runs the model over the next; at most {@link #WRITES_AHEAD} batches wait for it.
     */
    private final ExecutorService writer = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("ingestion-writer").factory());
    private final Semaphore writesAhead = new Semaphore(WRITES_AHEAD);
    /**
     * Items waiting for a remote provider's answer. Up to {@code maxInFlight} of them do not
     * count against the slots, so that a slow provider never starves other collections' work
     * of slots; the provider client bounds its own concurrent calls.
     */
    private final java.util.concurrent.atomic.AtomicInteger askingProviders = new java.util.concurrent.atomic.AtomicInteger();
    private long backoffMillis;
    private volatile boolean stopped;
    private volatile String failure;

    public IngestionWorker(Dependencies dependencies, int batchSize) {
        this.d = dependencies;
        this.batchSize = batchSize;
        this.maxInFlight = 4 * batchSize;
    }

    public void stop() {
        stopped = true;
    }

    /** Why the worker's thread ended without being stopped; empty while it runs (or after a stop). */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public void run() {
        ExecutorService preparers = Executors.newVirtualThreadPerTaskExecutor();
        try {
            loop(preparers);
        } catch (Throwable t) {
            failure = "ingestion stopped: " + reason(t);
            throw t;
        } finally {
            if (!stopped && failure == null) failure = "ingestion stopped: the worker thread was interrupted";
            // Items still being prepared stay RUNNING and are redone after a restart; writes under way finish.
            preparers.shutdownNow();
            writer.shutdown();
            try {
                if (!writer.awaitTermination(30, TimeUnit.SECONDS)) LOG.warning("documents still being written at stop are redone after a restart");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop(ExecutorService preparers) {
        while (!stopped) {
            try {
                finishDeletions();
                // While outcomes cannot be recorded no more work is claimed, but what is in flight goes on.
                boolean healthy = settleUnsettled() && claimed(preparers);
                process(takeEnded());
                if (healthy) backoffMillis = 0;
                else pause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable t) {
                // Whatever failed here (a claim on a full disk, an OutOfMemoryError) left no item
                // unaccounted for: the items taken were settled one by one. Keep serving.
                LOG.log(Level.SEVERE, "ingestion step failed; continuing", t);
                try {
                    pause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void pause() throws InterruptedException {
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, Math.max(250, backoffMillis * 2));
        Thread.sleep(backoffMillis);
    }

    /** Deletions that waited for items in flight to settle; a failure here must not hold up the items in flight. */
    private void finishDeletions() {
        try {
            d.deletions().finishOpen();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "finishing object deletions failed; will retry", e);
        }
    }

    /** How one item's preparation ended. */
    private sealed interface Outcome {
        WorkItem item();

        record Ready(Prepared prepared) implements Outcome {
            public WorkItem item() {
                return prepared.item();
            }
        }

        record Failed(WorkItem item, String reason) implements Outcome {
        }
    }

    /**
     * One item ready for its extractor's model: its collection, the extractor, its prepared
     * input and the fields each of its documents will carry.
     */
    private record Prepared(WorkItem item, Collection collection, FeatureExtractor extractor, PreparedInput input,
                            ObjectNode fields, long startedNanos) {
    }

    /** {@link #claim}, logging a failure (a full disk, say); whether it went through. */
    private boolean claimed(ExecutorService preparers) {
        try {
            claim(preparers);
            return true;
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, "claiming work failed; will retry", t);
            return false;
        }
    }

    /** Claims work for the free slots and starts preparing it, each item on its own virtual thread. */
    private void claim(ExecutorService preparers) {
        int total = inFlight.values().stream().mapToInt(Integer::intValue).sum() - Math.min(askingProviders.get(), maxInFlight);
        int room = Math.min(batchSize, maxInFlight - total);
        if (room <= 0) return;
        // A namespace at half the slots takes more only from what the others leave, and never
        // the last quarter: slow items there must leave room for another namespace's work.
        Set<String> full = new HashSet<>();
        inFlight.forEach((ns, n) -> {
            if (n >= Math.max(1, maxInFlight / 2)) full.add(ns);
        });
        List<WorkItem> items = new ArrayList<>(d.queue().claim(room, full));
        int reserve = Math.max(1, maxInFlight / 4);
        int extra = Math.min(room - items.size(), maxInFlight - reserve - total - items.size());
        if (!full.isEmpty() && extra > 0) items.addAll(d.queue().claim(extra));
        for (WorkItem item : items) {
            inFlight.merge(item.namespaceId(), 1, Integer::sum);
            preparers.execute(() -> {
                Outcome outcome;
                try {
                    outcome = new Outcome.Ready(prepare(item));
                } catch (Throwable t) {
                    outcome = new Outcome.Failed(item, reason(t));
                }
                ended.add(outcome);
            });
        }
    }

    /** What has ended preparing, up to a batch; waits a little for it, or for new work when nothing is in flight. */
    private List<Outcome> takeEnded() throws InterruptedException {
        List<Outcome> out = new ArrayList<>();
        if (inFlight.isEmpty()) {
            d.queue().awaitWork(500);
            return out;
        }
        // Short, so that work queued meanwhile (in another namespace, say) is claimed soon.
        Outcome first = ended.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) return out;
        out.add(first);
        // Items waiting for a provider will not end in a moment: waiting for them would only idle the model.
        int stillPreparing = inFlight.values().stream().mapToInt(Integer::intValue).sum() - 1 - askingProviders.get();
        // Items decoded together arrive close together: a moment's wait for them fills the model call.
        while (out.size() < batchSize) {
            int before = out.size();
            ended.drainTo(out, batchSize - out.size());
            stillPreparing -= out.size() - before;
            if (out.size() >= batchSize || stillPreparing <= 0) break;
            Outcome next = ended.poll(LINGER_MILLIS, TimeUnit.MILLISECONDS);
            if (next == null) break;
            out.add(next);
            stillPreparing--;
        }
        for (Outcome o : out) inFlight.computeIfPresent(o.item().namespaceId(), (ns, n) -> n == 1 ? null : n - 1);
        return out;
    }

    /**
     * Records the failed outcomes, runs the extractors over the ready ones, and hands their
     * documents to the writer; waits only when the writer is a batch behind.
     */
    private void process(List<Outcome> outcomes) throws InterruptedException {
        List<Prepared> ready = new ArrayList<>();
        for (Outcome o : outcomes) {
            switch (o) {
                case Outcome.Failed f -> failItem(f.item(), f.reason());
                case Outcome.Ready r -> ready.add(r.prepared());
            }
        }
        if (ready.isEmpty()) return;
        Set<WorkItem> open = new LinkedHashSet<>(ready.stream().map(Prepared::item).toList());
        Map<Prepared, List<ExtractedDocument>> extracted;
        try {
            extracted = extract(ready, open);
        } catch (Throwable t) {
            releaseAll(open, t);
            throw t;
        }
        writesAhead.acquire();
        try {
            writer.execute(() -> {
                try {
                    write(extracted, open);
                } catch (Throwable t) {
                    LOG.log(Level.SEVERE, "writing documents failed; their items are tried again", t);
                    releaseAll(open, t);
                } finally {
                    writesAhead.release();
                }
            });
        } catch (Throwable t) {
            writesAhead.release();
            releaseAll(open, t);
            throw t;
        }
    }

    /** Items not settled when processing broke have no outcome of their own: they are tried again. */
    private void releaseAll(Set<WorkItem> open, Throwable cause) {
        for (WorkItem item : List.copyOf(open)) releaseItem(item, "processing failed: " + reason(cause));
        open.clear();
    }

    /**
     * Runs each extractor once over its prepared inputs; items whose extraction failed are
     * failed and removed from {@code open}.
     */
    private Map<Prepared, List<ExtractedDocument>> extract(List<Prepared> ready, Set<WorkItem> open) {
        Map<FeatureExtractor, List<Prepared>> byExtractor = new LinkedHashMap<>();
        for (Prepared p : ready) byExtractor.computeIfAbsent(p.extractor(), k -> new ArrayList<>()).add(p);
        Map<Prepared, List<ExtractedDocument>> extracted = new LinkedHashMap<>();
        for (Map.Entry<FeatureExtractor, List<Prepared>> e : byExtractor.entrySet()) {
            List<Prepared> group = e.getValue();
            try {
                long started = System.nanoTime();
                List<List<ExtractedDocument>> docs = e.getKey().extract(group.stream().map(Prepared::input).toList());
                d.metrics().modelCall(e.getKey().name(), Metrics.ModelUse.INGESTION, System.nanoTime() - started);
                if (docs.size() != group.size()) {
                    throw new IllegalStateException(e.getKey().name() + " returned " + docs.size() + " results for " + group.size() + " inputs");
                }
                for (int i = 0; i < group.size(); i++) extracted.put(group.get(i), docs.get(i));
            } catch (Throwable t) {
                for (Prepared p : group) failItem(open, p.item(), "extraction failed: " + reason(t));
            }
        }
        return extracted;
    }

    /**
     * Indexes the extracted documents durably (each input's set replacing what it yielded
     * before), then marks their items done; each item settled is removed from {@code open}.
     * Runs on the writer thread, so that the model goes on with the next batch meanwhile.
     */
    private void write(Map<Prepared, List<ExtractedDocument>> extracted, Set<WorkItem> open) {
        if (extracted.isEmpty()) return;
        Map<String, List<ProducedDocuments>> byCollection = new LinkedHashMap<>();
        Map<String, String> namespaceOf = new HashMap<>();
        Map<WorkItem, List<IndexedDocument>> produced = new LinkedHashMap<>();
        // Objects deleted while their items were prepared or extracted: writing their documents
        // now would bring them back (the deletion's own pass also catches a write that races this check).
        Set<String> deleted = d.queue().deletedAmong(extracted.keySet().stream().map(p -> p.item().objectId()).toList());
        for (Map.Entry<Prepared, List<ExtractedDocument>> e : extracted.entrySet()) {
            WorkItem item = e.getKey().item();
            if (deleted.contains(item.objectId())) {
                failItem(open, item, ObjectDeletion.RUNNING_REASON);
                continue;
            }
            List<IndexedDocument> docs;
            try {
                docs = documents(e.getKey(), e.getValue());
            } catch (Throwable t) {
                failItem(open, item, "storing its images failed: " + reason(t));
                continue;
            }
            namespaceOf.put(item.collectionId(), item.namespaceId());
            byCollection.computeIfAbsent(item.collectionId(), k -> new ArrayList<>()).add(
                    new ProducedDocuments(DocumentIds.producer(item.collectionId(), item.objectId(), item.sourceDocumentId()), docs));
            produced.put(item, docs);
        }
        for (Map.Entry<String, List<ProducedDocuments>> e : byCollection.entrySet()) {
            try {
                d.index().replace(e.getKey(), placedInClusters(namespaceOf.get(e.getKey()), e.getKey(), e.getValue()));
            } catch (Throwable ex) {
                boolean outage = indexUnavailable(ex);
                for (WorkItem item : List.copyOf(produced.keySet())) {
                    if (item.collectionId().equals(e.getKey())) {
                        if (outage) {
                            open.remove(item);
                            releaseItem(item, "indexing failed, the index unavailable: " + reason(ex));
                        } else {
                            failItem(open, item, "indexing failed: " + reason(ex));
                        }
                        produced.remove(item);
                    }
                }
            }
        }
        Map<String, List<Collection>> consumers = new HashMap<>();
        for (Map.Entry<WorkItem, List<IndexedDocument>> e : produced.entrySet()) {
            WorkItem item = e.getKey();
            try {
                List<Collection> fed = consumers.computeIfAbsent(item.namespaceId() + "/" + item.collectionId(), k -> consumersOf(item));
                List<WorkItem.Request> followUps = new ArrayList<>();
                for (Collection col : fed) {
                    for (IndexedDocument doc : e.getValue()) {
                        followUps.add(new WorkItem.Request(item.taskId(), item.namespaceId(), col.collectionId(), item.objectId(), doc.documentId()));
                    }
                }
                d.queue().complete(item, e.getValue().size(), tokens(e.getValue()), followUps);
                open.remove(item);
            } catch (Throwable t) {
                // Its documents are indexed under deterministic ids: running it again replaces them.
                open.remove(item);
                releaseItem(item, "recording its result failed: " + reason(t));
            }
        }
    }

    /**
     * Whether a write failed because the index could not be reached or had no node to take it
     * (a shared index's outage, such as a SolrCloud shard between leaders after a node died),
     * rather than because of the documents: such an item is released, its attempt counted, and
     * done on a later attempt; its documents' ids are derived, so writing them again is harmless.
     */
    static boolean indexUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof LoupeException.Unavailable || t instanceof IOException || t instanceof java.io.UncheckedIOException) return true;
        }
        return false;
    }

    /**
     * The documents with the cluster fields of the collection's clusterings, which new
     * documents join without a new execution; as they were when placing them fails, so that a
     * clustering's trouble never holds up ingestion (the next execution places them).
     */
    private List<ProducedDocuments> placedInClusters(String namespaceId, String collectionId, List<ProducedDocuments> produced) {
        List<IndexedDocument> all = produced.stream().flatMap(p -> p.documents().stream()).toList();
        List<IndexedDocument> placed;
        try {
            placed = d.clusters().assign(namespaceId, collectionId, all);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "placing new documents of collection " + collectionId + " in its clusters failed; they wait for the next execution", e);
            return produced;
        }
        List<ProducedDocuments> out = new ArrayList<>(produced.size());
        int at = 0;
        for (ProducedDocuments p : produced) {
            out.add(new ProducedDocuments(p.producer(), placed.subList(at, at + p.documents().size())));
            at += p.documents().size();
        }
        return out;
    }

    /**
     * An input's documents: the fields every document of the item carries, then the
     * extractor's own, its images stored and referenced, and an id from its position.
     */
    private List<IndexedDocument> documents(Prepared p, List<ExtractedDocument> extracted) {
        WorkItem item = p.item();
        long millis = Math.round((System.nanoTime() - p.startedNanos()) / 1e6);
        List<IndexedDocument> docs = new ArrayList<>(extracted.size());
        for (int ordinal = 0; ordinal < extracted.size(); ordinal++) {
            ExtractedDocument x = extracted.get(ordinal);
            String docId = DocumentIds.of(item.collectionId(), item.objectId(), item.sourceDocumentId(), ordinal);
            ObjectNode fields = p.fields().deepCopy();
            fields.setAll(x.fields());
            for (ExtractedDocument.Image image : x.images()) {
                SourceView.put(fields, image.field(), TextNode.valueOf(new ThumbnailRef(d.thumbnails().put(image.jpeg(), ThumbnailRef.EXTENSION)).path()));
            }
            fields.put("document_id", docId);
            if (!fields.has("processing_time_ms")) fields.put("processing_time_ms", millis);
            docs.add(new IndexedDocument(docId, item.collectionId(), fields, x.vectors()));
        }
        return docs;
    }

    /** The provider tokens an item's documents record in {@link ExtractedDocument#PROVIDER_USAGE}. */
    private static dev.loupe.queue.TaskProgress.Tokens tokens(List<IndexedDocument> docs) {
        dev.loupe.queue.TaskProgress.Tokens sum = dev.loupe.queue.TaskProgress.Tokens.NONE;
        for (IndexedDocument doc : docs) {
            JsonNode usage = doc.fields().path(ExtractedDocument.PROVIDER_USAGE);
            if (usage.isObject()) {
                sum = sum.plus(new dev.loupe.queue.TaskProgress.Tokens(Math.max(0, usage.path("input_tokens").asLong()),
                        Math.max(0, usage.path("output_tokens").asLong())));
            }
        }
        return sum;
    }

    private void failItem(Set<WorkItem> open, WorkItem item, String reason) {
        open.remove(item);
        failItem(item, reason);
    }

    /** Records the item FAILED; when that cannot be recorded, releases it to be tried again. */
    private void failItem(WorkItem item, String reason) {
        try {
            d.queue().fail(item, reason);
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "recording the failure of work item " + item.seq() + " failed; releasing it", t);
            releaseItem(item, reason);
        }
    }

    /** Puts the item back to PENDING (or FAILED, out of attempts); kept for later when even that cannot be recorded. */
    private void releaseItem(WorkItem item, String reason) {
        try {
            d.queue().release(item, reason);
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "releasing work item " + item.seq() + " failed; will retry", t);
            unsettled.put(item, reason);
        }
    }

    /** Settles what could not be settled before; true when nothing is left. */
    private boolean settleUnsettled() {
        synchronized (unsettled) {
            return settleUnsettledLocked();
        }
    }

    private boolean settleUnsettledLocked() {
        for (var it = unsettled.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            try {
                d.queue().release(e.getKey(), e.getValue());
                it.remove();
            } catch (RuntimeException t) {
                LOG.log(Level.WARNING, "releasing work item " + e.getKey().seq() + " failed again; will retry", t);
                return false;
            }
        }
        return true;
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

        FeatureExtractor extractor = d.extractors().of(col.featureExtractor());
        JsonNode parameters = col.featureExtractor().parameters();
        JsonNode mappings = col.featureExtractor().inputMappings();
        FeatureExtractor.MappedInput mapped = null;
        SourceView.Value input = null;
        List<String> tried = new ArrayList<>();
        for (FeatureExtractor.MappedInput candidate : extractor.inputs(mappings)) {
            String mapping = mappings.path(candidate.name()).asText();
            Optional<SourceView.Value> value = view.resolve(mapping);
            if (value.isPresent()) {
                mapped = candidate;
                input = value.get();
                break;
            }
            tried.add(candidate.name() + " → '" + mapping + "'");
        }
        if (mapped == null) {
            throw new IllegalArgumentException("input mapping" + (tried.size() > 1 ? "s " : " ") + String.join(", ", tried)
                    + (tried.size() > 1 ? " match" : " matches") + " no blob or field of the source");
        }
        PreparedInput prepared = switch (mapped.kind()) {
            case IMAGE -> {
                byte[] bytes = bytes(input);
                cpu.acquire();
                try {
                    FeatureExtractor.DecodeSize size = extractor.decodeSize(parameters);
                    yield extractor.prepare(d.decoder().decode(bytes, size.minWidth(), size.minHeight()), parameters);
                } finally {
                    cpu.release();
                }
            }
            case TEXT -> {
                String text = text(input);
                cpu.acquire();
                try {
                    yield extractor.prepareText(text, parameters);
                } finally {
                    cpu.release();
                }
            }
        };
        // Outside the CPU permits: a provider's answer is I/O, however long it takes.
        askingProviders.incrementAndGet();
        try {
            prepared = extractor.askProviders(prepared);
        } finally {
            askingProviders.decrementAndGet();
        }
        fields.put("created_at", Ids.now());
        return new Prepared(item, col, extractor, prepared, fields, started);
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

    /**
     * A text input: a string field as it is, or a text blob's bytes as UTF-8 (a JSON-valued
     * blob's string, when it holds one); malformed UTF-8 is refused rather than guessed at.
     */
    private String text(SourceView.Value input) throws BlobException {
        return switch (input) {
            case SourceView.Value.OfJson j -> {
                if (!j.json().isTextual()) throw new IllegalArgumentException("text input is " + j.json().getNodeType() + ", not a string");
                yield j.json().asText();
            }
            case SourceView.Value.OfBlob b -> {
                byte[] bytes = blobBytes(b.blob());
                String text;
                try {
                    text = java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw new IllegalArgumentException("text blob '" + b.blob().property() + "' is not valid UTF-8");
                }
                if ("application/json".equals(b.blob().mimeType())) {
                    JsonNode json = Json.read(text);
                    if (!json.isTextual()) throw new IllegalArgumentException("text blob '" + b.blob().property() + "' holds " + json.getNodeType() + ", not a string");
                    text = json.asText();
                }
                yield text;
            }
        };
    }

    private byte[] bytes(SourceView.Value input) throws BlobException {
        return switch (input) {
            case SourceView.Value.OfBlob b -> blobBytes(b.blob());
            case SourceView.Value.OfJson j -> {
                if (!j.json().isTextual()) throw new IllegalArgumentException("image input is " + j.json().getNodeType() + ", not a URL or data");
                String s = j.json().asText().strip();
                if (s.startsWith(ThumbnailRef.PREFIX)) yield thumbnailBytes(s);
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
        Optional<ThumbnailRef> ref = ThumbnailRef.parse(reference);
        Optional<InputStream> stored = ref.flatMap(r -> d.thumbnails().lookup(r.sha256(), ThumbnailRef.EXTENSION));
        if (stored.isEmpty()) {
            throw new BlobException("image input is not a thumbnail stored by this server: expected "
                    + ThumbnailRef.PREFIX + "<64 hex digits>.jpg naming one, an http(s) URL, a data: URI or base64");
        }
        try (InputStream in = stored.get()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new BlobException("stored thumbnail " + ref.get().sha256() + " cannot be read");
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
}
