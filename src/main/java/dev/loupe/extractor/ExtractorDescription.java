package dev.loupe.extractor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What a client can learn about an offered extractor before using it (Mixpeek's
 * {@code FeatureExtractorResponseModel}): its inputs, parameters with their defaults, the
 * document fields it writes and the vector indexes it needs. Built without loading a model,
 * so the catalogue answers even when the model is not installed yet.
 *
 * @param inputSchema     JSON Schema of the {@code input_mappings} it takes
 * @param parameterSchema JSON Schema of its {@code parameters}
 * @param outputSchema    JSON Schema {@code properties} of the documents it writes
 */
public record ExtractorDescription(String name, String version, String description, ObjectNode inputSchema,
                                   ObjectNode parameterSchema, ObjectNode defaultParameters, ObjectNode outputSchema,
                                   List<String> supportedInputTypes, List<FeatureExtractor.VectorIndexSpec> vectorIndexes) {

    /** Mixpeek's id for an extractor: {@code name_version}. */
    public String id() {
        return name + "_" + version;
    }
}
