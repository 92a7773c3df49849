package dev.loupe.index.lucene;

import dev.loupe.index.VectorQuantization;
import java.util.concurrent.ExecutorService;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues;

/** The codec a collection's index is written with: Lucene's, with the HNSW graph settings below for every vector field. */
final class VectorCodec {
    /**
     * Graph degree and build beam, twice Lucene's defaults (16, 100): with the defaults, a
     * one-segment graph of a million clustered 768-d vectors left a few percent of queries
     * unable to reach their neighbours at any search beam, in an earlier run of the search
     * benchmark (BENCHMARKS.md has the figures with these settings: recall@10 0.985 at a
     * million). Building takes about twice as long, which ingestion, bound by the image
     * model, hardly notices; the graph stays small (63 MB for a million documents).
     */
    private static final int GRAPH_MAX_CONNECTIONS = 32;
    private static final int GRAPH_BEAM_WIDTH = 200;

    private VectorCodec() {
    }

    /**
     * A codec whose vector format is {@code quantization}'s, building a merged segment's graph
     * with {@code mergeWorkers} tasks on {@code graphMerge}, so that compaction takes minutes, not tens of them.
     */
    static Codec of(VectorQuantization quantization, ExecutorService graphMerge, int mergeWorkers) {
        // Lucene refuses an executor for a single worker (on a one-core machine, say): it merges on the calling thread.
        if (mergeWorkers == 1) graphMerge = null;
        KnnVectorsFormat format = switch (quantization) {
            case NONE -> new Lucene99HnswVectorsFormat(GRAPH_MAX_CONNECTIONS, GRAPH_BEAM_WIDTH, mergeWorkers, graphMerge);
            case INT8 -> new Lucene104HnswScalarQuantizedVectorsFormat(QuantizedByteVectorValues.ScalarEncoding.UNSIGNED_BYTE,
                    GRAPH_MAX_CONNECTIONS, GRAPH_BEAM_WIDTH, mergeWorkers, graphMerge);
        };
        return new Lucene104Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        };
    }
}
