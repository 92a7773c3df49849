package dev.loupe.cluster;

import dev.loupe.api.LoupeException;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.ClusterDefinition;
import dev.loupe.catalog.ClusterRun;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Kind;
import dev.loupe.extractor.ExtractorCatalog;
import dev.loupe.extractor.FeatureExtractor;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterParser;
import dev.loupe.index.DocumentIndex;
import dev.loupe.index.IndexedDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads a clustering's documents, clusters them, refines the labels ({@link Refinement}) and
 * writes the result: the run in the catalog and the enrichment fields onto the documents.
 *
 * <p>Bounds: at most {@value #MAX_DOCUMENTS} documents (or {@code sample_size}) are clustered,
 * in index order; documents beyond that are then placed like late arrivals
 * ({@link ClusterAssignment}): into the nearest cluster whose radius reaches them.
 * Enrichment rewrites documents in batches of {@value #WRITE_BATCH} with {@code upsert}, so a
 * field patched on a document while its clustering runs may be overwritten.
 */
final class ClusterJob {
    /** Documents clustered per execution: the methods are O(n²) in time (agglomerative also in memory). */
    static final int MAX_DOCUMENTS = 10_000;
    static final int PAGE = 500;
    static final int WRITE_BATCH = 500;

    private final Catalog catalog;
    private final DocumentIndex index;
    private final ExtractorCatalog extractors;

    ClusterJob(Catalog catalog, DocumentIndex index, ExtractorCatalog extractors) {
        this.catalog = catalog;
        this.index = index;
        this.extractors = extractors;
    }

    /** The documents clustered and the documents beyond the bound, in index order. */
    record Loaded(List<IndexedDocument> clustered, List<IndexedDocument> beyond, List<String> vectorNames) {
    }

    /** Runs {@code run}; {@code beforeWriting} is called before the enrichment is written, and may stop the job by throwing. */
    ClusterRun run(ClusterDefinition def, ClusterRun run, Runnable beforeWriting) {
        long start = System.nanoTime();
        ClusterMethod method = ClusterMethod.stored(def.algorithm(), def.algorithmParams());
        int limit = def.sampleSize() == null ? MAX_DOCUMENTS : def.sampleSize();
        if (method instanceof ClusterMethod.Agglomerative) limit = Math.min(limit, Agglomerative.MAX_POINTS);
        Loaded loaded = load(def, limit);
        float[][] rows = rows(loaded.clustered(), def, loaded.vectorNames());
        List<String> ids = loaded.clustered().stream().map(IndexedDocument::documentId).toList();
        List<String> keys = loaded.clustered().stream().map(Placements::sourceKey).toList();
        int[] labels = Clusterer.labels(rows, method);
        Refinement.Result refined = Refinement.apply(rows, ids, keys, labels, null, def.edits(), true);
        Placements.Outcome outcome = Placements.of(loaded.clustered(), rows, keys, refined);
        Map<String, ClusterRun.Placement> placed = new java.util.LinkedHashMap<>(outcome.placements());
        List<IndexedDocument> all = new ArrayList<>(loaded.clustered());
        var bySource = ClusterAssignment.clustersBySource(placed);
        for (IndexedDocument late : loaded.beyond()) {
            placed.put(late.documentId(), ClusterAssignment.place(late, vector(late, def, loaded.vectorNames()), outcome.groups(), method.reach(), bySource));
            all.add(late);
        }
        beforeWriting.run();
        write(all, placed, outcome.groups());
        int noise = (int) placed.values().stream().filter(p -> p.clusterId() == null).count();
        return run.completed(placed.size(), noise, outcome.groups(), placed, dev.loupe.catalog.Ids.now(), (System.nanoTime() - start) / 1e9);
    }

    private Loaded load(ClusterDefinition def, int limit) {
        FilterNode filter = def.filters() == null ? new FilterNode.All() : FilterParser.parseStatic(def.filters(), "filters");
        List<IndexedDocument> clustered = new ArrayList<>();
        List<IndexedDocument> beyond = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String collectionId : def.collectionIds()) {
            String name = vectorName(def, collectionId);
            names.add(name);
            for (int offset = 0; ; offset += PAGE) {
                List<IndexedDocument> page = index.list(collectionId, filter, List.of(), offset, PAGE).documents();
                for (IndexedDocument d : page) {
                    if (!d.vectors().containsKey(name)) continue;
                    if (clustered.size() < limit) clustered.add(d);
                    else if (clustered.size() + beyond.size() < 10 * MAX_DOCUMENTS) beyond.add(d);
                }
                if (page.size() < PAGE) break;
            }
        }
        return new Loaded(clustered, beyond, names);
    }

    /** The index's name for the vector {@code def.featureUri()} names in this collection. */
    String vectorName(ClusterDefinition def, String collectionId) {
        Collection col = catalog.find(Kind.COLLECTION, def.namespaceId(), collectionId)
                .orElseThrow(() -> LoupeException.notFound("collection", collectionId));
        return vectorSpec(col, def.featureUri()).name();
    }

    FeatureExtractor.VectorIndexSpec vectorSpec(Collection col, String featureUri) {
        FeatureExtractor extractor = extractors.of(col.featureExtractor());
        return extractor.vectorIndex(featureUri).orElseThrow(() -> LoupeException.invalid("vector_config.feature_uris", "collection "
                + col.collectionName() + " has no vector '" + featureUri + "'; it has "
                + extractor.vectorIndexes().stream().map(FeatureExtractor.VectorIndexSpec::featureUri).toList()));
    }

    private float[][] rows(List<IndexedDocument> docs, ClusterDefinition def, List<String> names) {
        float[][] rows = new float[docs.size()][];
        for (int i = 0; i < rows.length; i++) rows[i] = vector(docs.get(i), def, names);
        return rows;
    }

    private static float[] vector(IndexedDocument d, ClusterDefinition def, List<String> names) {
        return Vectors.normalised(d.vectors().get(names.get(def.collectionIds().indexOf(d.collectionId()))));
    }

    /** Writes each document's enrichment fields, grouped by collection, in batches. */
    void write(List<IndexedDocument> docs, Map<String, ClusterRun.Placement> placed, List<ClusterRun.Group> groups) {
        Map<String, List<IndexedDocument>> byCollection = new java.util.LinkedHashMap<>();
        for (IndexedDocument d : docs) {
            byCollection.computeIfAbsent(d.collectionId(), c -> new ArrayList<>()).add(Placements.enriched(d, placed.get(d.documentId()), groups));
        }
        byCollection.forEach((collectionId, list) -> {
            for (int i = 0; i < list.size(); i += WRITE_BATCH) index.upsert(collectionId, list.subList(i, Math.min(list.size(), i + WRITE_BATCH)));
        });
    }
}
