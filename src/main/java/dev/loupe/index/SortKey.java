package dev.loupe.index;

/** Sort by a document field (dot path), ascending or descending. Missing values sort last. */
public record SortKey(String field, boolean descending) {
    public SortKey {
        if (field == null || field.isBlank()) throw new IllegalArgumentException("sort needs a field");
    }
}
