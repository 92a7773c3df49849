package dev.loupe.index;

/** A search hit: the document and its cosine similarity to the query vector. */
public record ScoredDocument(IndexedDocument document, float score) {
}
