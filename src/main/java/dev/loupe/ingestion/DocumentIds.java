package dev.loupe.ingestion;

import dev.loupe.blob.BlobStore;
import java.nio.charset.StandardCharsets;

/**
 * Document ids derived from what produced the document — collection, source object, source
 * document, and the document's position among those the input yielded — so that processing
 * the same input twice (after a crash, or a re-run) overwrites its documents instead of
 * adding a second set.
 */
public final class DocumentIds {
    private DocumentIds() {}

    public static String of(String collectionId, String objectId, String sourceDocumentId, int ordinal) {
        return "doc_" + hash(producer(collectionId, objectId, sourceDocumentId) + "\n" + ordinal);
    }

    /** The key of one input of a collection, under which the index keeps the set of documents it yielded. */
    public static String producer(String collectionId, String objectId, String sourceDocumentId) {
        return collectionId + "\n" + objectId + "\n" + (sourceDocumentId == null ? "" : sourceDocumentId);
    }

    private static String hash(String key) {
        return BlobStore.sha256(key.getBytes(StandardCharsets.UTF_8)).substring(0, 24);
    }
}
