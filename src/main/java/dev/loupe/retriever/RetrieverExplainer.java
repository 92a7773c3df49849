package dev.loupe.retriever;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Json;
import dev.loupe.catalog.Collection;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterTree;
import dev.loupe.index.DocumentIndex;
import java.util.ArrayList;
import java.util.List;

/**
 * The plan of a saved retriever without running it ({@code POST /v1/retrievers/{id}/execute/explain}),
 * in Mixpeek's {@code ExplainRetrieverResponse} shape.
 *
 * <p>Document counts come from the index: collection sizes, and for filters (pre_filters,
 * attribute_filter) the number of documents they match, given the sample inputs where
 * they take dynamic values. Durations come from the retriever's recent executions when it
 * has run, and so does a search stage's {@code "search"} object (Loupe's, beside Mixpeek's
 * fields): how its last execution found its hits ({@link dev.loupe.index.SearchTrace}). Loupe
 * applies no plan rewriting, so the plan is the pipeline as configured.
 */
public final class RetrieverExplainer {
    /** Durations assumed for stages that have not run yet, by kind: searches touch the index, the rest is in memory. */
    private static final double SEARCH_MILLIS = 10;
    private static final double IN_MEMORY_MILLIS = 0.1;

    private final DocumentIndex index;
    private final RetrieverExecutor executor;

    public RetrieverExplainer(DocumentIndex index, RetrieverExecutor executor) {
        this.index = index;
        this.executor = executor;
    }

    public ObjectNode explain(String retrieverId, String retrieverName, List<Collection> collections, List<Stage> stages, ObjectNode inputs) {
        long documents = 0;
        for (Collection c : collections) documents += index.count(c.collectionId(), FilterNode.ALL);
        ObjectNode out = Json.object();
        out.put("retriever_id", retrieverId);
        out.put("retriever_name", retrieverName);
        ArrayNode plan = Json.array();
        long flowing = 0;
        double totalMillis = 0;
        double slowest = 0;
        List<String> names = new ArrayList<>();
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            Stage stage = stages.get(i);
            List<String> warnings = new ArrayList<>();
            long in = stage instanceof Stage.FeatureSearch ? documents : flowing;
            long estimated = estimateOutput(stage, in, collections, documents, inputs, warnings);
            double ms = executor.recentMillis(retrieverId, stage.name())
                    .orElse(stage instanceof Stage.FeatureSearch ? SEARCH_MILLIS : IN_MEMORY_MILLIS);
            ObjectNode p = plan.addObject();
            p.put("stage_index", i);
            p.put("stage_name", stage.name());
            p.put("stage_type", stage.stageType());
            p.put("estimated_input", in);
            p.put("estimated_output", estimated);
            p.put("estimated_efficiency", in == 0 ? 0 : (double) estimated / in);
            p.put("estimated_cost_credits", 0.0);
            p.put("estimated_duration_ms", ms);
            p.put("cache_likely", cacheLikely(stage, inputs));
            ArrayNode notes = p.putArray("optimization_notes");
            notes.add(executor.recentMillis(retrieverId, stage.name()).isPresent()
                    ? "duration from this retriever's recent executions" : "duration assumed: this stage has not run yet");
            // Loupe's own, beside Mixpeek's fields: how the stage's last execution found its hits
            executor.lastTrace(retrieverId, stage.name()).ifPresent(t -> {
                p.set("search", t.json());
                notes.add("search: how this stage's last execution found its hits (" + t.method().json() + ")");
            });
            ArrayNode w = p.putArray("warnings");
            warnings.forEach(w::add);
            flowing = estimated;
            totalMillis += ms;
            slowest = Math.max(slowest, ms);
            names.add(stage.name());
            millis.add(ms);
        }
        out.putObject("estimated_cost").put("total_credits", 0.0).put("total_duration_ms", totalMillis);
        out.set("execution_plan", plan);
        ArrayNode suggestions = out.putArray("optimization_suggestions");
        suggest(stages, suggestions);
        out.put("total_estimated_stages", stages.size());
        ArrayNode bottlenecks = out.putArray("bottleneck_stages");
        for (int i = 0; i < names.size(); i++) {
            if (slowest > 0 && millis.get(i) >= 0.8 * slowest) bottlenecks.add(names.get(i));
        }
        out.put("optimization_level", "none");
        out.put("optimization_applied", false);
        return out;
    }

    private long estimateOutput(Stage stage, long in, List<Collection> collections, long documents, ObjectNode inputs, List<String> warnings) {
        return switch (stage) {
            case Stage.FeatureSearch fs -> {
                long matching = fs.preFilters() == null ? documents : matching(collections, fs, fs.preFilter(), inputs, documents, warnings);
                if (fs.preFilters() != null && matching == 0) warnings.add("pre_filters match no documents");
                long candidates = fs.searches().isEmpty() ? matching : Math.min(matching, fs.searches().stream().mapToLong(Stage.Search::topK).sum());
                if (fs.groupBy() != null) candidates = Math.min(candidates, (long) fs.groupBy().maxPerGroup() * fs.groupBy().limit());
                yield Math.min(candidates, fs.finalTopK());
            }
            case Stage.AttributeFilter af -> {
                long matching = matching(collections, af, af.parsed(), inputs, documents, warnings);
                if (matching == 0) warnings.add("the filter matches no documents in the collections");
                // The share of the collection the filter admits, applied to what reaches the stage.
                yield documents == 0 ? 0 : Math.round(in * (double) matching / documents);
            }
            case Stage.Limit l -> Math.max(0, Math.min(l.limit(), in - l.offset()));
            case Stage.GroupBy g -> Math.min(in, (long) g.maxPerGroup() * g.limit());
            case Stage.Sample s -> Math.min(in, s.size());
            case Stage.Mmr m -> Math.min(in, m.topK());
            case Stage.SortAttribute sa -> in;
            case Stage.SortRelevance sr -> in;
            case Stage.Deduplicate d -> in;
            case Stage.ScoreNormalize n -> in;
        };
    }

    /**
     * Documents a stage's filter matches across the collections; all of them when its dynamic
     * values lack sample inputs. The filter is the one parsed when the retriever was saved,
     * bound as an execution binds it.
     */
    private long matching(List<Collection> collections, Stage stage, FilterTree tree, ObjectNode inputs, long documents, List<String> warnings) {
        FilterNode filter;
        try {
            filter = tree.bind(Templates.forFilters(inputs, "stage '" + stage.name() + "'"));
        } catch (LoupeException.Invalid missingInput) {
            warnings.add("filter selectivity unknown without sample inputs: " + missingInput.getMessage());
            return documents;
        }
        long n = 0;
        for (Collection c : collections) n += index.count(c.collectionId(), filter);
        return n;
    }

    /** Whether a text search's query vector would come from the encoder cache. */
    private boolean cacheLikely(Stage stage, ObjectNode inputs) {
        if (!(stage instanceof Stage.FeatureSearch fs) || fs.searches().isEmpty()) return false;
        for (Stage.Search s : fs.searches()) {
            if (!(s instanceof Stage.VectorSearch v) || !(v.query() instanceof Stage.Query.Text t)) return false;
            try {
                if (!executor.textCached(Templates.renderText(t.template(), inputs, "explain"))) return false;
            } catch (LoupeException.Invalid missingInput) {
                return false;
            }
        }
        return true;
    }

    private static void suggest(List<Stage> stages, ArrayNode out) {
        for (int i = 1; i < stages.size(); i++) {
            if (stages.get(i) instanceof Stage.AttributeFilter af && stages.getFirst() instanceof Stage.FeatureSearch fs && i == 1) {
                out.addObject().put("type", "add_filter").put("stage", af.name())
                        .put("message", "Move this filter into " + fs.name() + "'s pre_filters: applied inside the search it still yields top_k results");
            }
        }
    }
}
