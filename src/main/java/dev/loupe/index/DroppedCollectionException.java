package dev.loupe.index;

/** A write to a collection whose index was dropped: the collection was deleted meanwhile. */
public final class DroppedCollectionException extends IllegalStateException {
    public DroppedCollectionException(String collectionId) {
        super("collection " + collectionId + " was deleted");
    }
}
