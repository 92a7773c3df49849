package dev.loupe.retriever;

import java.util.List;

/**
 * One step of a retriever pipeline, validated when the retriever is created. Values
 * that come from the execution's inputs are kept as templates ({@code {{INPUT.query}}})
 * and rendered by the {@link RetrieverExecutor}.
 */
public sealed interface Stage {

    /** The stage's name in the pipeline (its {@code stage_name}). */
    String name();

    /** Mixpeek's stage id, e.g. {@code feature_search}. */
    String stageId();

    /** Mixpeek's stage category: filter, sort, reduce, apply or enrich. */
    String stageType();

    /**
     * Vector search over one or more feature indexes, fused into one ranking.
     *
     * @param finalTopK how many fused results leave the stage
     * @param fusion    {@code rrf}, {@code weighted} or {@code max}
     * @param preFilters Mixpeek filter JSON applied inside the nearest-neighbour search (may hold dynamic values)
     */
    record FeatureSearch(String name, List<Search> searches, int finalTopK, String fusion,
                         com.fasterxml.jackson.databind.JsonNode preFilters) implements Stage {
        public FeatureSearch {
            if (searches.isEmpty()) throw new IllegalArgumentException("feature_search needs at least one search");
            if (finalTopK < 1) throw new IllegalArgumentException("final_top_k must be at least 1, got: " + finalTopK);
            searches = List.copyOf(searches);
        }

        @Override
        public String stageId() {
            return "feature_search";
        }

        @Override
        public String stageType() {
            return "filter";
        }
    }

    /**
     * One nearest-neighbour search of a {@link FeatureSearch}.
     *
     * @param featureUri the vector index, or null for "the collection's only one"
     */
    record Search(String featureUri, Query query, int topK, Double minScore, double weight) {
        public Search {
            if (topK < 1 || topK > 10_000) throw new IllegalArgumentException("top_k must be between 1 and 10000, got: " + topK);
        }
    }

    /** What a search looks for, by Mixpeek's {@code input_mode}. Values may be templates. */
    sealed interface Query {
        /** Text, embedded by the index's query encoder. */
        record Text(String template) implements Query {
        }

        /** A raw query vector, or a template resolving to one. */
        record Vector(com.fasterxml.jackson.databind.JsonNode value) implements Query {
        }

        /** The stored vector of an existing document. */
        record Document(String documentIdTemplate) implements Query {
        }

        /** An image (URL, data: URI or base64), embedded by the index's image tower. */
        record Content(String template) implements Query {
        }
    }
}
