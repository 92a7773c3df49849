package dev.loupe.ingestion;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.api.LoupeException;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Ids;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.StoredObject;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.DocumentIndex;
import dev.loupe.queue.ObjectDeletion;
import dev.loupe.queue.WorkQueue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Deleting an object and everything it produced. The catalog row goes in the same
 * transaction that records the deletion in the queue; the object's documents are then
 * removed from every collection its bucket feeds, tier by tier (bucket-sourced
 * collections, then the collections sourcing those, and so on), and only then is the
 * deletion marked done. A process killed in between finishes the job on restart
 * ({@link #finishOpen}), because removal is idempotent.
 *
 * <p>Items for the object that were RUNNING when it was deleted may still write a
 * document afterwards; the deletion stays open until none is live and one more removal
 * pass has run (see {@link WorkQueue}).
 */
public final class ObjectDeletions {
    private static final Logger LOG = Logger.getLogger(ObjectDeletions.class.getName());
    private static final int OPEN_PER_PASS = 100;
    /** Field every document carries: the bucket object its chain of sources starts at. */
    static final String ROOT_OBJECT_FIELD = "root_object_id";

    private final Catalog catalog;
    private final WorkQueue queue;
    private final DocumentIndex index;

    public ObjectDeletions(Catalog catalog, WorkQueue queue, DocumentIndex index) {
        this.catalog = catalog;
        this.queue = queue;
        this.index = index;
    }

    /**
     * Deletes the object and its documents; a 404 when another request deleted it first.
     * Once the catalog commit is done the object is gone for the client, so a removal that
     * fails after it is logged and left to the workers' retries ({@link #finishOpen}).
     */
    public void delete(StoredObject object) {
        ObjectDeletion deletion = record(object);
        try {
            finish(deletion);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "removing the documents of deleted object " + object.objectId() + " failed; will retry", e);
        }
    }

    /** The first half of {@link #delete}: the object goes and its deletion is recorded, atomically. */
    ObjectDeletion record(StoredObject object) {
        ObjectDeletion deletion = new ObjectDeletion(object.objectId(), object.namespaceId(), object.bucketId(), Ids.now());
        catalog.database().inTransaction(c -> {
            if (!catalog.delete(c, Kind.OBJECT, object.objectId())) throw LoupeException.notFound(Kind.OBJECT.name(), object.objectId());
            queue.recordDeletion(deletion);
            return null;
        });
        return deletion;
    }

    /**
     * Removes the deleted object's documents and, when no item for it was live before the
     * removal began, marks the deletion done.
     *
     * @return whether the deletion is done
     */
    boolean finish(ObjectDeletion deletion) {
        // Read before removing: a document written by an item live now could land after the pass.
        boolean settled = queue.liveItems(deletion.objectId()) == 0;
        FilterNode produced = new FilterNode.Condition(ROOT_OBJECT_FIELD, FilterNode.Operator.EQ, TextNode.valueOf(deletion.objectId()));
        for (String collectionId : fedBy(deletion.namespaceId(), deletion.bucketId())) index.deleteMatching(collectionId, produced);
        if (settled) queue.finishDeletion(deletion.objectId());
        return settled;
    }

    /**
     * Finishes the deletions still open: after a restart, those a killed process left
     * half done; otherwise, those that waited for items in flight.
     *
     * @return how many were finished
     */
    public int finishOpen() {
        int finished = 0;
        // Those left open (waiting for items, or failing) stay at the front; page past them.
        int stillOpen = 0;
        while (true) {
            List<ObjectDeletion> page = queue.openDeletions(OPEN_PER_PASS, stillOpen);
            for (ObjectDeletion d : page) {
                boolean done = false;
                try {
                    done = finish(d);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "removing the documents of deleted object " + d.objectId() + " failed; will retry", e);
                }
                if (done) finished++;
                else stillOpen++;
            }
            if (page.size() < OPEN_PER_PASS) return finished;
        }
    }

    /** The collections a bucket feeds, directly or through other collections, upstream first. */
    private List<String> fedBy(String namespaceId, String bucketId) {
        List<Collection> all = catalog.list(Kind.COLLECTION, namespaceId, null, Integer.MAX_VALUE, 0);
        List<String> ordered = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Collection col : all) {
            if (col.source().readsBucket(bucketId) && seen.add(col.collectionId())) {
                ordered.add(col.collectionId());
            }
        }
        // The list grows while it is walked: breadth first, so each tier comes after the one it sources.
        for (int i = 0; i < ordered.size(); i++) {
            String upstream = ordered.get(i);
            for (Collection col : all) {
                if (col.source().readsCollection(upstream) && seen.add(col.collectionId())) {
                    ordered.add(col.collectionId());
                }
            }
        }
        return ordered;
    }
}
