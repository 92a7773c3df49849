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

    StageKind kind();

    /** Mixpeek's stage id, e.g. {@code feature_search}. */
    default String stageId() {
        return kind().id();
    }

    /** Mixpeek's stage category: filter, sort, reduce, apply or enrich. */
    default String stageType() {
        return kind().category();
    }

    /**
     * Vector and lexical searches over a collection, fused into one ranking; with no
     * searches, the documents matching {@code preFilters} (filter-only mode, every score 1).
     *
     * @param finalTopK  how many results leave the stage
     * @param fusion     how the searches' rankings become one
     * @param preFilters Mixpeek filter JSON applied inside each search (may hold dynamic values), or null
     * @param groupBy    keeps the best documents per value of a field before {@code finalTopK} applies, or null
     * @param facets     fields whose values are counted over the fused candidates
     * @param preFilter  {@code preFilters} parsed once, bound at each execution ({@link dev.loupe.filter.FilterTree#bind})
     */
    record FeatureSearch(String name, List<Search> searches, int finalTopK, Fusion fusion,
                         com.fasterxml.jackson.databind.JsonNode preFilters, GroupBy groupBy, List<Facet> facets,
                         dev.loupe.filter.FilterTree preFilter) implements Stage {
        public FeatureSearch {
            if (finalTopK < 1) throw new IllegalArgumentException("final_top_k must be at least 1, got: " + finalTopK);
            searches = List.copyOf(searches);
            facets = List.copyOf(facets);
        }

        @Override
        public StageKind kind() {
            return StageKind.FEATURE_SEARCH;
        }
    }

    /**
     * Keeps the candidates that match a Mixpeek filter (which may take dynamic values from the inputs).
     *
     * @param parsed {@code filter} parsed once, bound at each execution
     */
    record AttributeFilter(String name, com.fasterxml.jackson.databind.JsonNode filter, dev.loupe.filter.FilterTree parsed) implements Stage {
        @Override
        public StageKind kind() {
            return StageKind.ATTRIBUTE_FILTER;
        }
    }

    /** Orders candidates by a field's value; missing values go last. */
    record SortAttribute(String name, String field, boolean descending) implements Stage {
        @Override
        public StageKind kind() {
            return StageKind.SORT_ATTRIBUTE;
        }
    }

    /** Orders candidates by score. */
    record SortRelevance(String name, boolean descending) implements Stage {
        @Override
        public StageKind kind() {
            return StageKind.SORT_RELEVANCE;
        }
    }

    /** Keeps {@code limit} candidates after skipping {@code offset}. */
    record Limit(String name, int limit, int offset) implements Stage {
        public Limit {
            if (limit < 0 || offset < 0) throw new IllegalArgumentException("limit and offset must not be negative");
        }

        @Override
        public StageKind kind() {
            return StageKind.LIMIT;
        }
    }

    /** Keeps the first candidate of each value of {@code field}; candidates without the field are kept. */
    record Deduplicate(String name, String field) implements Stage {
        @Override
        public StageKind kind() {
            return StageKind.DEDUPLICATE;
        }
    }

    /** Keeps at most {@code maxPerGroup} candidates per value of {@code field}, and at most {@code limit} groups. */
    record GroupBy(String name, String field, int maxPerGroup, int limit) implements Stage {
        public GroupBy {
            if (maxPerGroup < 1 || limit < 1) throw new IllegalArgumentException("max_per_group and limit must be at least 1");
        }

        @Override
        public StageKind kind() {
            return StageKind.GROUP_BY;
        }
    }

    /** How a {@link FeatureSearch} fuses its searches' rankings. */
    enum Fusion {
        /** Reciprocal rank fusion: the sum of weight / (60 + rank) over the searches. */
        RRF,
        /** The sum of weight × score, lexical scores scaled to the best hit's. */
        WEIGHTED,
        /** The best score a document got from any search. */
        MAX
    }

    /** How {@link ScoreNormalize} rescales scores. */
    enum Normalization {
        /** To [0, 1] by the minimum and maximum. */
        MINMAX,
        /** To mean 0 and deviation 1. */
        ZSCORE
    }

    /** Rescales the candidates' scores by {@code method}. */
    record ScoreNormalize(String name, Normalization method) implements Stage {
        @Override
        public StageKind kind() {
            return StageKind.SCORE_NORMALIZE;
        }
    }

    /** A seeded random subset of {@code size} candidates, in their original order. */
    record Sample(String name, int size, long seed) implements Stage {
        public Sample {
            if (size < 0) throw new IllegalArgumentException("sample size must not be negative");
        }

        @Override
        public StageKind kind() {
            return StageKind.SAMPLE;
        }
    }

    /**
     * Maximal marginal relevance: picks {@code topK} candidates one at a time, maximising
     * {@code lambda · score − (1 − lambda) · (highest cosine to those already picked)}, among
     * the first 2,000 candidates; {@code topK} is at most {@link #MAX_TOP_K}.
     */
    record Mmr(String name, double lambda, int topK) implements Stage {
        /** Each pick compares every candidate, so picks are bounded as candidates are. */
        public static final int MAX_TOP_K = 1_000;

        public Mmr {
            if (lambda < 0 || lambda > 1) throw new IllegalArgumentException("lambda must be between 0 and 1, got: " + lambda);
            if (topK < 1) throw new IllegalArgumentException("top_k must be at least 1");
        }

        @Override
        public StageKind kind() {
            return StageKind.MMR;
        }
    }

    /** One search of a {@link FeatureSearch}: its best {@code topK} hits, above {@code minScore}, weighted in fusion. */
    sealed interface Search {
        int topK();

        Double minScore();

        double weight();

        static void checkTopK(int topK) {
            if (topK < 1 || topK > 10_000) throw new IllegalArgumentException("top_k must be between 1 and 10000, got: " + topK);
        }
    }

    /**
     * Nearest neighbours in a vector index; scores are cosine similarities.
     *
     * @param featureUri the vector index, or null for "the collection's only one"
     */
    record VectorSearch(String featureUri, Query query, int topK, Double minScore, double weight) implements Search {
        public VectorSearch {
            Search.checkTopK(topK);
        }
    }

    /**
     * BM25 over analysed text fields ({@code ocr_text}, {@code description}, string metadata);
     * scores are BM25 sums over the fields.
     *
     * @param fields   dot paths of the text fields; empty means every text field
     * @param text     the query text (may be a template)
     * @param matchAll whether every query word must occur (in any of the fields), rather than any
     */
    record LexicalSearch(List<String> fields, String text, boolean matchAll, int topK, Double minScore, double weight) implements Search {
        public LexicalSearch {
            Search.checkTopK(topK);
            fields = List.copyOf(fields);
        }
    }

    /** Counts of a field's values, the {@code limit} most frequent first. */
    record Facet(String field, int limit) {
        public Facet {
            if (limit < 1) throw new IllegalArgumentException("facet limit must be at least 1");
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
