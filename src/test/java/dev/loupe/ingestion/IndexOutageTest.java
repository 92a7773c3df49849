package dev.loupe.ingestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.DocumentIndex;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.ProducedDocuments;
import dev.loupe.queue.WorkItem.State;
import dev.loupe.testing.Images;
import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shared index that is unavailable for a moment (a SolrCloud shard between leaders after a node
 * died) costs an item an attempt, not its outcome: it is released and done on a later attempt. An
 * index that rejects the documents themselves still fails the item at once.
 */
class IndexOutageTest {
    @Test
    void anItemWhoseDocumentsFindTheIndexUnavailableIsTriedAgainAndDone(@TempDir Path dir) throws Exception {
        try (WorkerRig rig = new WorkerRig(dir, WorkerRig.patientFetcher())) {
            rig.collection("ns_a");
            rig.storedObject("ns_a", "obj_1", Images.jpeg(Images.dominant(Color.RED, 64, 48, 1)));
            rig.enqueue("task_1", "ns_a", "obj_1");
            FailingWrites index = new FailingWrites(rig.index, 1, () -> LoupeException.unavailable("Solr did not take the request within PT1M"));
            rig.start(rig.store, 1, index);
            WorkerRig.await("obj_1 settled", () -> rig.state("obj_1") != State.PENDING && rig.state("obj_1") != State.RUNNING);
            assertEquals(State.DONE, rig.state("obj_1"), rig.items("obj_1").toString());
            assertTrue(rig.items("obj_1").values().iterator().next().startsWith("DONE/2"), "done on its second attempt: " + rig.items("obj_1"));
            assertEquals(1, index.thrown.get());
        }
    }

    @Test
    void anItemWhoseDocumentsTheIndexRejectsFailsAtOnce(@TempDir Path dir) throws Exception {
        try (WorkerRig rig = new WorkerRig(dir, WorkerRig.patientFetcher())) {
            rig.collection("ns_a");
            rig.storedObject("ns_a", "obj_1", Images.jpeg(Images.dominant(Color.RED, 64, 48, 1)));
            rig.enqueue("task_1", "ns_a", "obj_1");
            FailingWrites index = new FailingWrites(rig.index, Integer.MAX_VALUE, () -> new IllegalArgumentException("vector field v has 512 dimensions, not 768"));
            rig.start(rig.store, 1, index);
            WorkerRig.await("obj_1 settled", () -> rig.state("obj_1") == State.FAILED || rig.state("obj_1") == State.DONE);
            String item = rig.items("obj_1").values().iterator().next();
            assertTrue(item.startsWith("FAILED/1: indexing failed"), "failed on its first attempt: " + item);
            assertEquals(1, index.thrown.get());
        }
    }

    /** An index whose first {@code failures} writes throw, and which otherwise is {@code delegate}. */
    private static final class FailingWrites implements DocumentIndex {
        private final DocumentIndex delegate;
        private final java.util.function.Supplier<RuntimeException> failure;
        private final AtomicInteger left;
        final AtomicInteger thrown = new AtomicInteger();

        FailingWrites(DocumentIndex delegate, int failures, java.util.function.Supplier<RuntimeException> failure) {
            this.delegate = delegate;
            this.failure = failure;
            this.left = new AtomicInteger(failures);
        }

        private void maybeFail() {
            if (left.getAndDecrement() > 0) {
                thrown.incrementAndGet();
                throw failure.get();
            }
        }

        @Override
        public void upsert(String collectionId, List<IndexedDocument> documents) {
            maybeFail();
            delegate.upsert(collectionId, documents);
        }

        @Override
        public void replace(String collectionId, List<ProducedDocuments> produced) {
            maybeFail();
            delegate.replace(collectionId, produced);
        }

        @Override
        public Optional<IndexedDocument> get(String collectionId, String documentId) {
            return delegate.get(collectionId, documentId);
        }

        @Override
        public Optional<IndexedDocument> updateFields(String collectionId, String documentId, UnaryOperator<ObjectNode> change) {
            return delegate.updateFields(collectionId, documentId, change);
        }

        @Override
        public boolean delete(String collectionId, String documentId) {
            return delegate.delete(collectionId, documentId);
        }

        @Override
        public dev.loupe.index.DocumentPage list(String collectionId, FilterNode filter, List<dev.loupe.index.SortKey> sort, int offset, int limit) {
            return delegate.list(collectionId, filter, sort, offset, limit);
        }

        @Override
        public long count(String collectionId, FilterNode filter) {
            return delegate.count(collectionId, filter);
        }

        @Override
        public dev.loupe.index.GroupPage group(String collectionId, dev.loupe.index.GroupRequest request) {
            return delegate.group(collectionId, request);
        }

        @Override
        public dev.loupe.index.NearestHits nearestTraced(String collectionId, String vectorField, float[] query, int k, FilterNode filter) {
            return delegate.nearestTraced(collectionId, vectorField, query, k, filter);
        }

        @Override
        public List<dev.loupe.index.ScoredDocument> lexical(String collectionId, List<String> fields, String text, boolean matchAll, int k,
                                                            FilterNode filter) {
            return delegate.lexical(collectionId, fields, text, matchAll, k, filter);
        }

        @Override
        public void drop(String collectionId) {
            delegate.drop(collectionId);
        }

        @Override
        public long deleteMatching(String collectionId, FilterNode filter) {
            return delegate.deleteMatching(collectionId, filter);
        }

        @Override
        public void close() {
            // the rig closes its index
        }
    }
}
