package dev.loupe.extractor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.media.ImageDecoder;
import java.util.List;

/**
 * A feature extractor as Mixpeek defines one: a name and version, the inputs it maps
 * from its source, the parameters it takes, and the document fields and vector
 * indexes it produces. The family is closed: each extractor is a class here.
 *
 * <p>Ingestion runs every extractor the same way, in two steps: {@link #prepare} turns one
 * decoded image into what the model takes (tensors, a thumbnail), on the thread that
 * fetched and decoded it, so that the model never waits for that work; {@link #extract}
 * then turns a whole batch of prepared inputs into documents with one call per model.
 * An input yields zero, one or many documents (faces: one per face); ingestion numbers them
 * by their position in the list and replaces the input's earlier documents with them.
 */
public sealed interface FeatureExtractor permits ImageExtractor, FaceIdentityExtractor, MultimodalExtractor {

    String name();

    String version();

    /** Names of the inputs {@code input_mappings} must provide. */
    List<String> requiredInputs();

    /** Validates {@code parameters} (422 naming the field) and returns them with defaults filled in. */
    ObjectNode validateParameters(JsonNode parameters, String path);

    /** Mixpeek's {@code output_schema.properties} for documents this extractor writes. */
    ObjectNode outputSchema();

    /** The output schema of a collection with these validated {@code parameters} (structured fields it asks for, say). */
    default ObjectNode outputSchema(JsonNode parameters) {
        return outputSchema();
    }

    /**
     * The inputs a collection's {@code input_mappings} offer, in order of preference: ingestion
     * reads the first one an object has (an image, else a text, say).
     */
    default List<MappedInput> inputs(JsonNode mappings) {
        return List.of(new MappedInput(requiredInputs().getFirst(), MappedInput.Kind.IMAGE));
    }

    /**
     * Prepares one text input (an extractor that embeds text: its tokens); CPU-bound, like
     * {@link #prepare}. Only extractors whose {@link #input} can be text take it.
     */
    default PreparedInput prepareText(String text, JsonNode parameters) {
        throw new IllegalArgumentException(name() + " takes images, not text");
    }

    /**
     * The parts of a prepared input that remote providers answer (a description, structured
     * fields), asked on the input's own virtual thread after {@link #prepare} and before
     * {@link #extract}: a slow provider holds up only its own inputs, never the model or the
     * CPU. Throws when the providers' answers are unusable, which fails the input with the reason.
     */
    default PreparedInput askProviders(PreparedInput prepared) {
        return prepared;
    }

    List<VectorIndexSpec> vectorIndexes();

    /** The smallest size, in pixels, at which an input must be decoded for {@code parameters}; the decoder may give more. */
    DecodeSize decodeSize(JsonNode parameters);

    /**
     * Prepares one decoded upright image for {@link #extract}, off the model's thread; CPU-bound.
     *
     * @param parameters the collection's validated parameters
     */
    PreparedInput prepare(ImageDecoder.Decoded decoded, JsonNode parameters);

    /**
     * The documents of each input, in input order: element {@code i} holds input {@code i}'s,
     * possibly none. Every input must come from this extractor's {@link #prepare}.
     */
    List<List<ExtractedDocument>> extract(List<PreparedInput> batch);

    /** Rejects input mappings that cannot work, at collection creation rather than at ingestion. */
    default void checkInputMappings(JsonNode mappings, String path) {
        for (String input : requiredInputs()) {
            if (mappings == null || !mappings.has(input)) {
                throw LoupeException.invalid(path + "." + input, name() + " needs an '" + input + "' input mapping (e.g. \"payload.image_url\")");
            }
        }
    }

    /**
     * The vector output {@code featureUri} names — by its URI, by its document field
     * ({@code mixpeek://name@version/field}) or, for the image extractor, by Mixpeek's embedding
     * name — or the first output when {@code featureUri} is null; empty when none matches.
     */
    default java.util.Optional<VectorIndexSpec> vectorIndex(String featureUri) {
        List<VectorIndexSpec> specs = vectorIndexes();
        if (featureUri == null) return java.util.Optional.of(specs.getFirst());
        return specs.stream().filter(spec -> spec.featureUri().equals(featureUri) || featureUri.equals(featureUri(spec.field()))
                || featureUri.equals(featureUri(spec.alias()))).findFirst();
    }

    /** {@code mixpeek://name@version/output}. */
    default String featureUri(String output) {
        return "mixpeek://" + name() + "@" + version() + "/" + output;
    }

    /**
     * A searchable vector output: its document field, its URI, dimension and distance.
     * {@code queryEncoder} names the model that embeds its documents and queries;
     * {@code description} says what its vectors are good for; {@code alias} is another output
     * name Mixpeek's clients use for it (or null).
     */
    record VectorIndexSpec(String name, String field, String featureUri, int dimension, String distance, String queryEncoder,
                           String description, String alias) {
    }

    /** The input mapping an extractor reads ({@code image}, {@code text}) and whether it is an image or text. */
    record MappedInput(String name, Kind kind) {
        public enum Kind {IMAGE, TEXT}
    }

    /** A decoding size hint: at least this wide and high, aspect ratio kept. */
    record DecodeSize(int minWidth, int minHeight) {
    }
}
