package dev.loupe.ingestion;

import dev.loupe.api.LoupeException;
import dev.loupe.catalog.Batch;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Ids;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.StoredObject;
import dev.loupe.catalog.Task;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.DocumentIndex;
import dev.loupe.index.IndexedDocument;
import dev.loupe.queue.WorkItem;
import dev.loupe.queue.WorkQueue;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns client actions into queued work: submitting a batch queues each of its objects
 * for every collection fed by its bucket; creating a collection queues what its source
 * already holds. Each becomes a {@link Task} whose status the work items determine.
 * Deleting an object queues the removal of its documents ({@link ObjectDeletions}).
 */
public final class Ingestion {
    private static final int PAGE = 1000;
    static final String DELETED_BEFORE_SUBMIT = "object was deleted before the batch was submitted";

    private final Catalog catalog;
    private final WorkQueue queue;
    private final DocumentIndex index;
    private final ObjectDeletions deletions;
    private final List<IngestionWorker> workers = new java.util.concurrent.CopyOnWriteArrayList<>();

    public Ingestion(Catalog catalog, WorkQueue queue, DocumentIndex index, ObjectDeletions deletions) {
        this.catalog = catalog;
        this.queue = queue;
        this.index = index;
        this.deletions = deletions;
    }

    /**
     * Start-up recovery, before any worker runs: work a killed process left RUNNING is
     * queued again (deterministic document ids make that safe), and object deletions it
     * left half done are finished.
     */
    public void recover() {
        queue.recover();
        deletions.finishOpen();
    }

    /** Registers a worker whose thread {@link #stoppedWorkers} reports on. */
    public void watch(IngestionWorker worker) {
        workers.add(worker);
    }

    /** Why each worker whose thread ended without being stopped ended; empty while ingestion runs. */
    public List<String> stoppedWorkers() {
        List<String> out = new ArrayList<>();
        for (IngestionWorker w : workers) w.failure().ifPresent(out::add);
        return out;
    }

    /** Deletes a bucket object and removes the documents it produced from every collection. */
    public void deleteObject(StoredObject object) {
        deletions.delete(object);
    }

    /** Submits a DRAFT batch: records its task and queues its work in one transaction. */
    public Task submit(String namespaceId, Batch batch) {
        return catalog.database().inTransaction(c -> {
            Batch current = catalog.require(c, Kind.BATCH, namespaceId, batch.batchId());
            if (!Batch.DRAFT.equals(current.status())) {
                throw LoupeException.conflict("batch " + batch.batchId() + " was already submitted (task " + current.taskId() + ")");
            }
            if (current.objectIds().isEmpty()) throw LoupeException.invalid("object_ids", "batch has no objects to process");
            Task task = newTask(c, namespaceId, "api_buckets_batches_submit", current.batchId(), null);
            // Objects deleted since they were added to the batch fail with the reason, so the task says what became of them.
            Set<String> gone = queue.deletedAmong(current.objectIds());
            List<WorkItem.Request> work = new ArrayList<>();
            List<WorkItem.Request> rejected = new ArrayList<>();
            for (Collection col : collectionsFedBy(c, namespaceId, current.bucketId())) {
                for (String objectId : current.objectIds()) {
                    WorkItem.Request r = new WorkItem.Request(task.taskId(), namespaceId, col.collectionId(), objectId, null);
                    if (gone.contains(objectId)) rejected.add(r);
                    else work.add(r);
                }
            }
            queue.enqueue(work);
            queue.reject(rejected, DELETED_BEFORE_SUBMIT);
            catalog.update(c, Kind.BATCH, current.batchId(), null, current.submitted(task.taskId(), Ids.now()));
            return task;
        });
    }

    /** Queues everything a new collection's source already holds; null when there is nothing. */
    public Task backfill(Collection collection) {
        String ns = collection.namespaceId();
        return catalog.database().inTransaction(c -> {
            List<WorkItem.Request> work = new ArrayList<>();
            Task task = null;
            if (collection.source() instanceof Collection.Source.Buckets buckets) {
                for (String bucketId : buckets.bucketIds()) {
                    for (int offset = 0; ; offset += PAGE) {
                        List<StoredObject> objects = catalog.list(c, Kind.OBJECT, ns, bucketId, PAGE, offset);
                        if (task == null && !objects.isEmpty()) task = newTask(c, ns, "api_collections_trigger", null, collection.collectionId());
                        for (StoredObject o : objects) {
                            work.add(new WorkItem.Request(task.taskId(), ns, collection.collectionId(), o.objectId(), null));
                        }
                        if (objects.size() < PAGE) break;
                    }
                }
            } else if (collection.source() instanceof Collection.Source.Upstream(String upstream)) {
                for (int offset = 0; ; offset += PAGE) {
                    List<IndexedDocument> docs = index.list(upstream, FilterNode.ALL, List.of(), offset, PAGE).documents();
                    if (task == null && !docs.isEmpty()) task = newTask(c, ns, "api_collections_trigger", null, collection.collectionId());
                    for (IndexedDocument d : docs) {
                        work.add(new WorkItem.Request(task.taskId(), ns, collection.collectionId(),
                                d.fields().path("root_object_id").asText(), d.documentId()));
                    }
                    if (docs.size() < PAGE) break;
                }
            }
            queue.enqueue(work);
            return task;
        });
    }

    private Task newTask(Connection c, String namespaceId, String type, String batchId, String collectionId) throws SQLException {
        String id = Kind.TASK.newId();
        return catalog.insert(c, Kind.TASK, id, namespaceId, null, null,
                new Task(id, namespaceId, type, batchId, collectionId, Ids.now()));
    }

    private List<Collection> collectionsFedBy(Connection c, String namespaceId, String bucketId) throws SQLException {
        List<Collection> out = new ArrayList<>();
        for (Collection col : catalog.list(c, Kind.COLLECTION, namespaceId, null, Integer.MAX_VALUE, 0)) {
            if (col.source().readsBucket(bucketId)) out.add(col);
        }
        return out;
    }
}
