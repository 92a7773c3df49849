package dev.loupe.index;

import java.util.List;

/** One page of a listing and the number of documents matching in all. */
public record DocumentPage(List<IndexedDocument> documents, long total) {
}
