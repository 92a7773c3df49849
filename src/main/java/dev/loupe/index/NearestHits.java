package dev.loupe.index;

import java.util.List;

/** The hits of a nearest-neighbour search, best first, and how they were found. */
public record NearestHits(List<ScoredDocument> hits, SearchTrace trace) {
    public NearestHits {
        hits = List.copyOf(hits);
    }
}
