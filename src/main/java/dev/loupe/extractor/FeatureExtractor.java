package dev.loupe.extractor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A feature extractor as Mixpeek defines one: a name and version, the inputs it maps
 * from its source, the parameters it takes, and the document fields and vector
 * indexes it produces. The family is closed: each extractor is a class here.
 */
public sealed interface FeatureExtractor permits ImageExtractor {

    String name();

    String version();

    /** Names of the inputs {@code input_mappings} must provide. */
    List<String> requiredInputs();

    /** Validates {@code parameters} (422 naming the field) and returns them with defaults filled in. */
    ObjectNode validateParameters(JsonNode parameters, String path);

    /** Mixpeek's {@code output_schema.properties} for documents this extractor writes. */
    ObjectNode outputSchema();

    List<VectorIndexSpec> vectorIndexes();

    /** {@code mixpeek://name@version/output}. */
    default String featureUri(String output) {
        return "mixpeek://" + name() + "@" + version() + "/" + output;
    }

    /**
     * A searchable vector output: its document field, its URI, dimension and distance.
     * {@code queryEncoder} names the model whose text tower embeds queries for it.
     */
    record VectorIndexSpec(String name, String field, String featureUri, int dimension, String distance, String queryEncoder) {
    }
}
