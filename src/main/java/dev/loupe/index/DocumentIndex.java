package dev.loupe.index;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.filter.FilterNode;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where documents and their vectors live, per collection. The embedded Lucene index is
 * the default; a distributed engine implements the same contract.
 *
 * <p>Contract: {@link #upsert} is durable when it returns, and idempotent by document id
 * (writing a document again replaces it), which ingestion relies on for exactly-once
 * results after a crash.
 */
public interface DocumentIndex extends AutoCloseable {

    void upsert(String collectionId, List<IndexedDocument> documents);

    /**
     * For each producer, replaces every document it wrote before with its new documents
     * (none is allowed), durably when it returns. A search sees a producer's old set or its new
     * one, never a mix or neither. A document written without a producer (by {@link #upsert})
     * is replaced when a new document has its id. Rewriting a document's fields keeps its producer.
     */
    void replace(String collectionId, List<ProducedDocuments> produced);

    Optional<IndexedDocument> get(String collectionId, String documentId);

    /**
     * Replaces a document's fields with {@code change} applied to a copy of them, keeping its
     * vectors, durably when it returns; empty when there is no such document. Updates of one
     * collection's documents run one at a time, so that none is lost; an exception from
     * {@code change} leaves the document as it was.
     */
    Optional<IndexedDocument> updateFields(String collectionId, String documentId, UnaryOperator<ObjectNode> change);

    boolean delete(String collectionId, String documentId);

    DocumentPage list(String collectionId, FilterNode filter, List<SortKey> sort, int offset, int limit);

    long count(String collectionId, FilterNode filter);

    /**
     * A page of the groups that the documents matching the request's filter form by the
     * value of its field. A document with several values there (an array) is in each of
     * their groups, one whose value is null in the null group, one without the field in none.
     * Groups are ordered by value: numbers, then strings and booleans, then null.
     *
     * @throws IllegalArgumentException when the field holds more than {@link GroupRequest#maxGroups()} distinct values
     */
    GroupPage group(String collectionId, GroupRequest request);

    /**
     * The {@code k} documents whose {@code vectorField} is most cosine-similar to
     * {@code query} among those matching {@code filter}; the filter is applied inside
     * the search, so a selective filter still yields {@code k} hits when they exist.
     */
    default List<ScoredDocument> nearest(String collectionId, String vectorField, float[] query, int k, FilterNode filter) {
        return nearestTraced(collectionId, vectorField, query, k, filter).hits();
    }

    /**
     * {@link #nearest}, with how the hits were found ({@link SearchTrace}): what stage
     * statistics and explain report. Each implementation says only what it knows.
     */
    NearestHits nearestTraced(String collectionId, String vectorField, float[] query, int k, FilterNode filter);

    /**
     * The {@code k} documents matching {@code filter} that score highest under BM25 for
     * {@code text} over the analysed text fields at {@code fields} (dot paths; empty means
     * every text field), summed over fields. With {@code matchAll}, every word of the text
     * must occur in one of the fields; otherwise any word will do.
     */
    List<ScoredDocument> lexical(String collectionId, List<String> fields, String text, boolean matchAll, int k, FilterNode filter);

    /** Removes a collection's documents and storage. */
    void drop(String collectionId);

    /**
     * Removes the documents matching {@code filter}, durably when it returns; returns how
     * many matched. A collection that has no index yet is left without one.
     */
    long deleteMatching(String collectionId, FilterNode filter);

    @Override
    void close();
}
