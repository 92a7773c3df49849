package dev.loupe.retriever;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Json;
import dev.loupe.blob.BlobException;
import dev.loupe.blob.BlobSource;
import dev.loupe.blob.UrlFetcher;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Ids;
import dev.loupe.extractor.ExtractorCatalog;
import dev.loupe.extractor.FaceIdentityExtractor;
import dev.loupe.extractor.FeatureExtractor;
import dev.loupe.extractor.ImageExtractor;
import dev.loupe.extractor.MultimodalExtractor;
import dev.loupe.filter.FilterMatcher;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.DocumentIndex;
import dev.loupe.metrics.Metrics;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.NearestHits;
import dev.loupe.index.ScoredDocument;
import dev.loupe.index.SearchTrace;
import dev.loupe.inference.Memo;
import dev.loupe.media.ImageDecoder;
import dev.loupe.media.ImageException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a retriever: checks the inputs against the input schema, then feeds each stage
 * the previous stage's output, timing every stage, and returns the requested page.
 */
public final class RetrieverExecutor {
    private static final int RRF_K = 60;
    private static final int QUERY_CACHE_SIZE = 1024;

    private final DocumentIndex index;
    private final ExtractorCatalog extractors;
    private final UrlFetcher fetcher;
    private final ImageDecoder decoder;
    private final long maxBlobBytes;
    private final Metrics metrics;
    private final Memo<String, float[]> textCache = Memo.bounded(QUERY_CACHE_SIZE);

    public RetrieverExecutor(DocumentIndex index, ExtractorCatalog extractors, UrlFetcher fetcher, ImageDecoder decoder, long maxBlobBytes,
                             Metrics metrics) {
        this.metrics = metrics;
        this.index = index;
        this.extractors = extractors;
        this.fetcher = fetcher;
        this.decoder = decoder;
        this.maxBlobBytes = maxBlobBytes;
    }

    /**
     * What to run: over which collections, with which inputs, and which page to return.
     *
     * @param retrieverId the saved retriever being run, whose stage timings are remembered for explain; null when ad hoc
     */
    public record Request(String retrieverId, List<Collection> collections, JsonNode inputSchema, List<Stage> stages, ObjectNode inputs,
                          int offset, int pageSize) {
    }

    /** Recent stage durations of saved retrievers, smoothed: what explain estimates from. */
    private final Map<String, Double> stageMillis = new java.util.concurrent.ConcurrentHashMap<>();
    /** How each saved retriever's search stages last found their hits: what explain shows. */
    private final Map<String, SearchTrace> lastTraces = new java.util.concurrent.ConcurrentHashMap<>();

    /** The vector searches' traces of one stage, summed as they come (one stage runs on one thread). */
    private static final class Traces {
        private SearchTrace sum;

        void add(SearchTrace t) {
            sum = sum == null ? t : sum.plus(t);
        }

        Optional<SearchTrace> sum() {
            return Optional.ofNullable(sum);
        }
    }

    public ExecutionResult execute(Request r) {
        return execute(r, StageListener.NONE);
    }

    /**
     * Hears each stage of an execution as it runs, on the executing thread: what a streamed
     * execution sends as it goes (the public retrievers' server-sent events).
     */
    public interface StageListener {
        StageListener NONE = new StageListener() {
        };

        default void started(int index, Stage stage, int totalStages) {
        }

        /** {@code output}: the documents the stage passed on, best first. */
        default void completed(int index, Stage stage, ExecutionResult.StageStatistics statistics, List<ScoredDocument> output) {
        }

        /** The stage threw {@code error}, which the execution then throws. */
        default void failed(int index, Stage stage, RuntimeException error) {
        }
    }

    public ExecutionResult execute(Request r, StageListener listener) {
        long start = System.nanoTime();
        ObjectNode inputs = InputSchema.apply(r.inputSchema(), r.inputs());
        List<ScoredDocument> current = List.of();
        Map<String, ExecutionResult.StageStatistics> stats = new LinkedHashMap<>();
        ObjectNode facets = Json.object();
        for (int index = 0; index < r.stages().size(); index++) {
            Stage stage = r.stages().get(index);
            listener.started(index, stage, r.stages().size());
            long t0 = System.nanoTime();
            int in = current.size();
            Traces traces = new Traces();
            try {
                current = run(stage, current, r, inputs, facets, traces);
            } catch (RuntimeException e) {
                listener.failed(index, stage, e);
                throw e;
            }
            double millis = (System.nanoTime() - t0) / 1e6;
            ExecutionResult.StageStatistics statistics = new ExecutionResult.StageStatistics(in, current.size(), millis, traces.sum());
            stats.put(stage.name(), statistics);
            if (r.retrieverId() != null) {
                stageMillis.merge(r.retrieverId() + "\n" + stage.name(), millis, (old, now) -> 0.8 * old + 0.2 * now);
                traces.sum().ifPresent(t -> lastTraces.put(r.retrieverId() + "\n" + stage.name(), t));
            }
            listener.completed(index, stage, statistics, current);
        }
        int from = Math.min(r.offset(), current.size());
        int to = Math.min(current.size(), from + r.pageSize());
        return new ExecutionResult(Ids.next("exec_"), List.copyOf(current.subList(from, to)), current.size(),
                r.offset(), r.pageSize(), stats, facets, (System.nanoTime() - start) / 1e6);
    }

    private List<ScoredDocument> run(Stage stage, List<ScoredDocument> current, Request r, ObjectNode inputs, ObjectNode facets, Traces traces) {
        return switch (stage) {
            case Stage.FeatureSearch fs -> featureSearch(fs, r.collections(), inputs, facets, traces);
            case Stage.AttributeFilter af -> {
                FilterNode filter = af.parsed().bind(Templates.forFilters(inputs, "stage '" + af.name() + "'"));
                yield current.stream().filter(h -> FilterMatcher.matches(filter, h.document().fields())).toList();
            }
            case Stage.SortAttribute sa -> CandidateOps.sortByField(current, sa.field(), sa.descending());
            case Stage.SortRelevance sr -> CandidateOps.sortByScore(current, sr.descending());
            case Stage.Limit l -> current.subList(Math.min(l.offset(), current.size()), Math.min(current.size(), l.offset() + l.limit()));
            case Stage.Deduplicate d -> CandidateOps.deduplicate(current, d.field());
            case Stage.GroupBy g -> CandidateOps.groupBy(current, g.field(), g.maxPerGroup(), g.limit());
            case Stage.ScoreNormalize n -> CandidateOps.normalize(current, n.method());
            case Stage.Sample sm -> CandidateOps.sample(current, sm.size(), sm.seed());
            case Stage.Mmr m -> CandidateOps.mmr(current, m.lambda(), m.topK());
        };
    }

    /** The smoothed duration of a saved retriever's stage over its recent executions, if it has run. */
    Optional<Double> recentMillis(String retrieverId, String stageName) {
        return Optional.ofNullable(stageMillis.get(retrieverId + "\n" + stageName));
    }

    /** How a saved retriever's stage found its hits the last time it ran a vector search. */
    Optional<SearchTrace> lastTrace(String retrieverId, String stageName) {
        return Optional.ofNullable(lastTraces.get(retrieverId + "\n" + stageName));
    }

    /** Whether the text query encoder's vector for {@code text} is cached. */
    boolean textCached(String text) {
        return textCache.holds(extractors.image().encoder().name() + "\n" + text);
    }

    private List<ScoredDocument> featureSearch(Stage.FeatureSearch fs, List<Collection> collections, ObjectNode inputs, ObjectNode facetsOut,
                                               Traces traces) {
        String where = "stage '" + fs.name() + "'";
        FilterNode filter = fs.preFilter().bind(Templates.forFilters(inputs, where));
        List<ScoredDocument> fused;
        if (fs.searches().isEmpty()) {
            fused = new ArrayList<>();
            for (Collection col : collections) {
                for (IndexedDocument d : index.list(col.collectionId(), filter, List.of(), 0, fs.finalTopK()).documents()) {
                    fused.add(new ScoredDocument(d, 1f));
                }
            }
        } else {
            List<List<ScoredDocument>> rankings = new ArrayList<>();
            for (Stage.Search search : fs.searches()) {
                List<ScoredDocument> hits = new ArrayList<>();
                for (Collection col : collections) {
                    List<ScoredDocument> found = switch (search) {
                        case Stage.VectorSearch v -> {
                            FeatureExtractor.VectorIndexSpec spec = vectorIndex(col, v.featureUri(), where);
                            NearestHits nearest = index.nearestTraced(col.collectionId(), spec.field(),
                                    queryVector(v.query(), spec, col, inputs, where), v.topK(), filter);
                            traces.add(nearest.trace());
                            yield nearest.hits();
                        }
                        case Stage.LexicalSearch l -> index.lexical(col.collectionId(), l.fields(), Templates.renderText(l.text(), inputs, where),
                                l.matchAll(), l.topK(), filter);
                    };
                    for (ScoredDocument h : found) {
                        if (search.minScore() == null || h.score() >= search.minScore()) hits.add(h);
                    }
                }
                hits.sort(Comparator.comparingDouble(ScoredDocument::score).reversed());
                rankings.add(hits.size() > search.topK() ? hits.subList(0, search.topK()) : hits);
            }
            fused = rankings.size() == 1 ? rankings.getFirst() : fuse(fs, rankings);
        }
        if (fs.groupBy() != null) {
            fused = CandidateOps.groupBy(fused, fs.groupBy().field(), fs.groupBy().maxPerGroup(), fs.groupBy().limit());
        }
        for (Stage.Facet facet : fs.facets()) facetsOut.set(facet.field(), CandidateOps.facet(fused, facet.field(), facet.limit()));
        return fused.size() > fs.finalTopK() ? List.copyOf(fused.subList(0, fs.finalTopK())) : fused;
    }

    /**
     * Fuses the searches' rankings. {@code rrf} sums {@code weight / (60 + rank)};
     * {@code weighted} sums {@code weight × score} and {@code max} keeps the best score, where
     * a lexical search's BM25 scores are first divided by its best one so that they lie in
     * [0, 1] like cosine similarities.
     */
    private static List<ScoredDocument> fuse(Stage.FeatureSearch fs, List<List<ScoredDocument>> rankings) {
        Map<String, Double> scores = new HashMap<>();
        Map<String, IndexedDocument> docs = new HashMap<>();
        for (int s = 0; s < rankings.size(); s++) {
            Stage.Search search = fs.searches().get(s);
            List<ScoredDocument> ranking = rankings.get(s);
            double scale = search instanceof Stage.LexicalSearch && !ranking.isEmpty() && ranking.getFirst().score() > 0
                    ? 1 / ranking.getFirst().score() : 1;
            for (int rank = 0; rank < ranking.size(); rank++) {
                ScoredDocument h = ranking.get(rank);
                String key = h.document().collectionId() + "/" + h.document().documentId();
                docs.putIfAbsent(key, h.document());
                double contribution = switch (fs.fusion()) {
                    case WEIGHTED -> search.weight() * h.score() * scale;
                    case MAX -> h.score() * scale;
                    case RRF -> search.weight() / (RRF_K + rank + 1);
                };
                scores.merge(key, contribution, fs.fusion() == Stage.Fusion.MAX ? Math::max : Double::sum);
            }
        }
        List<ScoredDocument> out = new ArrayList<>();
        scores.forEach((k, v) -> out.add(new ScoredDocument(docs.get(k), v.floatValue())));
        out.sort(Comparator.comparingDouble(ScoredDocument::score).reversed());
        return out;
    }

    private FeatureExtractor.VectorIndexSpec vectorIndex(Collection col, String featureUri, String where) {
        FeatureExtractor extractor = extractors.of(col.featureExtractor());
        return extractor.vectorIndex(featureUri).orElseThrow(() -> LoupeException.invalid("feature_uri", where + " names '" + featureUri
                + "', which collection " + col.collectionName() + " does not index; it has "
                + extractor.vectorIndexes().stream().map(FeatureExtractor.VectorIndexSpec::featureUri).toList()));
    }

    private float[] queryVector(Stage.Query query, FeatureExtractor.VectorIndexSpec spec, Collection col, ObjectNode inputs, String where) {
        float[] v = switch (query) {
            case Stage.Query.Text t -> {
                String text = Templates.renderText(t.template(), inputs, where);
                yield switch (extractors.of(col.featureExtractor())) {
                    case ImageExtractor ie -> textCache.get(ie.encoder().name() + "\n" + text, k -> timed(ie, () -> ie.encoder().embedText(text))).clone();
                    case MultimodalExtractor me -> textCache.get(me.embedder().name() + "\n" + text, k -> timed(me, () -> me.embedder().embedText(text))).clone();
                    case FaceIdentityExtractor fe -> throw LoupeException.invalid("query", "collection " + col.collectionName() + " indexes "
                            + spec.featureUri() + ", which has no text encoder: search it with a content (image) or document query");
                };
            }
            case Stage.Query.Vector vec -> vectorFrom(vec.value() instanceof com.fasterxml.jackson.databind.node.TextNode tn
                    ? Templates.render(tn.asText(), inputs, where) : vec.value(), where);
            case Stage.Query.Document d -> {
                String id = Templates.renderText(d.documentIdTemplate(), inputs, where);
                IndexedDocument doc = index.get(col.collectionId(), id)
                        .orElseThrow(() -> LoupeException.notFound("document", id));
                float[] stored = doc.vectors().get(spec.field());
                if (stored == null) throw LoupeException.invalid("document_ref", "document " + id + " has no " + spec.field());
                yield stored.clone();
            }
            case Stage.Query.Content c -> {
                String data = Templates.renderText(c.template(), inputs, where);
                yield switch (extractors.of(col.featureExtractor())) {
                    case ImageExtractor ie -> {
                        var size = ie.encoder().preprocessing();
                        var img = image(data, size.width(), size.height());
                        yield timed(ie, () -> ie.encoder().embedImages(List.of(img))[0]);
                    }
                    case MultimodalExtractor me -> {
                        var img = image(data, me.queryDecodeSide(), me.queryDecodeSide());
                        yield timed(me, () -> me.embedder().embedImage(img));
                    }
                    case FaceIdentityExtractor fe -> {
                        var img = decoded(data, FaceIdentityExtractor.DECODE_SIDE, FaceIdentityExtractor.DECODE_SIDE);
                        yield timed(fe, () -> fe.queryEmbedding(img, col.featureExtractor().parameters()))
                            .orElseThrow(() -> LoupeException.invalid("query.value", "content query image holds no face that "
                                    + FaceIdentityExtractor.NAME + " can detect; send a photo with a visible face"));
                    }
                };
            }
        };
        if (v.length != spec.dimension()) {
            throw LoupeException.invalid("query", "query vector has " + v.length + " dimensions; " + spec.featureUri() + " has " + spec.dimension());
        }
        return v;
    }

    /** A query's model call, timed for {@link Metrics} (decoding and fetching are not model time). */
    private <T> T timed(FeatureExtractor extractor, java.util.function.Supplier<T> call) {
        long started = System.nanoTime();
        try {
            return call.get();
        } finally {
            metrics.modelCall(extractor.name(), Metrics.ModelUse.QUERY, System.nanoTime() - started);
        }
    }

    private java.awt.image.BufferedImage image(String data, int minWidth, int minHeight) {
        return decoded(data, minWidth, minHeight).image();
    }

    private ImageDecoder.Decoded decoded(String data, int minWidth, int minHeight) {
        try {
            byte[] bytes = switch (BlobSource.parse(data, maxBlobBytes)) {
                case BlobSource.Inline in -> in.bytes();
                case BlobSource.Remote remote -> fetcher.fetch(remote.uri()).bytes();
            };
            return decoder.decode(bytes, minWidth, minHeight);
        } catch (IllegalArgumentException | BlobException | ImageException e) {
            throw LoupeException.invalid("query.value", "content query image is unusable: " + e.getMessage());
        }
    }

    private static float[] vectorFrom(JsonNode value, String where) {
        if (!value.isArray() || value.isEmpty()) throw LoupeException.invalid("query.value", where + " needs a non-empty array of numbers");
        float[] v = new float[value.size()];
        for (int i = 0; i < v.length; i++) {
            if (!value.get(i).isNumber()) throw LoupeException.invalid("query.value[" + i + "]", "must be a number");
            v[i] = (float) value.get(i).asDouble();
            if (!Float.isFinite(v[i])) {
                throw LoupeException.invalid("query.value[" + i + "]", "must be a finite number within float range, got " + value.get(i).asText());
            }
        }
        return v;
    }
}
