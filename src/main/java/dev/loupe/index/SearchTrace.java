package dev.loupe.index;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * How one nearest-neighbour search found its hits, as jvector's {@code SearchResult} says:
 * what latency and recall are explained by. An index says only what it knows: the embedded
 * index counts every segment ({@link Counted}); a remote engine that reports nothing is
 * described by what Loupe asked of it ({@link Requested}), never by invented numbers.
 */
public sealed interface SearchTrace {

    /** How the segments were answered: all by graph walk, all by exact scan, some of each, or none searched. */
    enum Method {
        GRAPH, EXACT, MIXED, NONE;

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    Method method();

    /** This trace and {@code other} as one: the searches of one stage over several collections or vector indexes. */
    SearchTrace plus(SearchTrace other);

    /** The {@code "search"} object of stage statistics and explain. */
    ObjectNode json();

    /**
     * Counted by the embedded index while it searched.
     *
     * @param segments      segments searched
     * @param graphSegments segments answered by an HNSW graph walk
     * @param exactSegments segments answered by scanning the vectors the filter accepts (a walk that
     *                      hit its visit limit and fell back to the scan counts here)
     * @param postFilteredSegments of the graph segments, those walked without the filter and kept to
     *                      its matches afterwards (a broad filter, post-filtered)
     * @param nodesVisited  graph nodes the walks visited, as Lucene reports them
     * @param filterMatches documents the filter accepted, summed over segments exactly as Lucene counted
     *                      them for the search; absent when the search had no filter
     * @param rescored      whether the quantized (int8) candidates were rescored with the float vectors
     */
    record Counted(int segments, int graphSegments, int exactSegments, int postFilteredSegments, long nodesVisited, OptionalLong filterMatches,
                   boolean rescored) implements SearchTrace {
        public Counted {
            if (graphSegments + exactSegments != segments) {
                throw new IllegalArgumentException("segments " + segments + " is not graph " + graphSegments + " plus exact " + exactSegments);
            }
            if (postFilteredSegments < 0 || postFilteredSegments > graphSegments) {
                throw new IllegalArgumentException("post-filtered segments " + postFilteredSegments + " are not among the " + graphSegments + " walked");
            }
        }

        @Override
        public Method method() {
            if (segments == 0) return Method.NONE;
            return exactSegments == 0 ? Method.GRAPH : graphSegments == 0 ? Method.EXACT : Method.MIXED;
        }

        @Override
        public SearchTrace plus(SearchTrace other) {
            return switch (other) {
                case Counted c -> new Counted(segments + c.segments, graphSegments + c.graphSegments, exactSegments + c.exactSegments,
                        postFilteredSegments + c.postFilteredSegments, nodesVisited + c.nodesVisited,
                        filterMatches.isPresent() && c.filterMatches.isPresent()
                                ? OptionalLong.of(filterMatches.getAsLong() + c.filterMatches.getAsLong()) : OptionalLong.empty(),
                        rescored || c.rescored);
                // one index answers a whole execution, so this mix does not arise; the less known wins
                case Requested r -> r;
            };
        }

        @Override
        public ObjectNode json() {
            ObjectNode n = Json.object();
            n.put("method", method().json());
            n.put("segments", segments);
            n.put("graph_segments", graphSegments);
            n.put("exact_segments", exactSegments);
            n.put("post_filtered_segments", postFilteredSegments);
            n.put("nodes_visited", nodesVisited);
            filterMatches.ifPresent(m -> n.put("filter_matches", m));
            n.put("rescored", rescored);
            return n;
        }
    }

    /**
     * A search handed to a remote engine that does not say how it answered: the method is the
     * one requested (an HNSW kNN query, the filter applied inside it as a pre-filter); segments,
     * visits and matches are unknown and left out.
     *
     * @param engine   the engine that answered, e.g. {@code solr}
     * @param filtered whether a filter was passed as the pre-filter
     */
    record Requested(String engine, boolean filtered) implements SearchTrace {
        @Override
        public Method method() {
            return Method.GRAPH;
        }

        @Override
        public SearchTrace plus(SearchTrace other) {
            return other instanceof Requested r ? new Requested(engine, filtered || r.filtered) : this;
        }

        @Override
        public ObjectNode json() {
            ObjectNode n = Json.object();
            n.put("method", method().json());
            n.put("engine", engine);
            n.put("requested", true);
            n.put("prefiltered", filtered);
            return n;
        }
    }
}
