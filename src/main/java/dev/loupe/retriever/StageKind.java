package dev.loupe.retriever;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The stages Loupe runs: Mixpeek's stage id and category for each. */
public enum StageKind {
    FEATURE_SEARCH("feature_search", "filter"),
    ATTRIBUTE_FILTER("attribute_filter", "filter"),
    SORT_ATTRIBUTE("sort_attribute", "sort"),
    SORT_RELEVANCE("sort_relevance", "sort"),
    LIMIT("limit", "reduce"),
    DEDUPLICATE("deduplicate", "reduce"),
    GROUP_BY("group_by", "reduce"),
    SCORE_NORMALIZE("score_normalize", "sort"),
    SAMPLE("sample", "reduce"),
    MMR("mmr", "sort");

    private final String id;
    private final String category;

    StageKind(String id, String category) {
        this.id = id;
        this.category = category;
    }

    public String id() {
        return id;
    }

    public String category() {
        return category;
    }

    /** The stage with Mixpeek id {@code id}, case-insensitively. */
    public static Optional<StageKind> byId(String id) {
        return Arrays.stream(values()).filter(k -> k.id.equalsIgnoreCase(id)).findFirst();
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(StageKind::id).toList();
    }
}
