package dev.loupe.retriever;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.index.ScoredDocument;
import dev.loupe.index.SearchTrace;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A retriever execution: the requested page of results, how many there were in all,
 * per stage how many documents went in and out and how long it took, and the facet
 * counts searches asked for ({@code {field: [{value, count}]}}, empty when none).
 */
public record ExecutionResult(String executionId, List<ScoredDocument> page, int total, int offset, int pageSize,
                              Map<String, StageStatistics> stages, ObjectNode facets, double totalMillis) {

    /**
     * @param search how a feature_search stage's vector searches found their hits, summed over its
     *               searches and collections; empty for other stages and for searches without vectors
     */
    public record StageStatistics(int inputCount, int outputCount, double durationMillis, Optional<SearchTrace> search) {
        public StageStatistics(int inputCount, int outputCount, double durationMillis) {
            this(inputCount, outputCount, durationMillis, Optional.empty());
        }
    }
}
