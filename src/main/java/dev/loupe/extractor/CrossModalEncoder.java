package dev.loupe.extractor;

import dev.loupe.inference.Vectors;
import dev.loupe.inference.clip.DualEncoder;
import dev.loupe.provider.VertexEmbeddings;
import java.awt.image.BufferedImage;
import java.util.function.Supplier;

/**
 * Where {@code multimodal_extractor}'s embedding comes from: a local dual encoder (any
 * CLIP/SigLIP manifest; images embedded in batches on the model's thread) or Vertex AI's
 * {@code multimodalembedding@001} (one remote call per input, made while other work goes on).
 * Both put images and texts in one space, so either is searched by text or by image.
 */
public sealed interface CrossModalEncoder {

    /** The model's name, as documents and the vector index name it. */
    String name();

    int dimension();

    /** An image query's vector, L2-normalised. */
    float[] embedImage(BufferedImage upright);

    /** A text's vector (a query or a text input), L2-normalised. */
    float[] embedText(String text);

    /** Several texts' vectors, row i for text i: in one model call for a local encoder. */
    default float[][] embedTexts(java.util.List<String> texts) {
        return texts.stream().map(this::embedText).toArray(float[][]::new);
    }

    /** A dual encoder of the model catalogue, loaded on first use. */
    record Local(Supplier<DualEncoder> encoder) implements CrossModalEncoder {
        @Override
        public String name() {
            return encoder.get().name();
        }

        @Override
        public int dimension() {
            return encoder.get().dimension();
        }

        @Override
        public float[] embedImage(BufferedImage upright) {
            return encoder.get().embedImages(java.util.List.of(upright))[0];
        }

        @Override
        public float[] embedText(String text) {
            return encoder.get().embedText(text);
        }

        @Override
        public float[][] embedTexts(java.util.List<String> texts) {
            return encoder.get().embedTexts(texts);
        }
    }

    /** Vertex AI's multimodal embeddings; its vectors are normalised here, as the local ones are. */
    record Vertex(VertexEmbeddings client) implements CrossModalEncoder {
        public static final String NAME = "vertex-multimodalembedding@001";

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public int dimension() {
            return client.dimension();
        }

        @Override
        public float[] embedImage(BufferedImage upright) {
            return normalised(client.embedImage(upright));
        }

        @Override
        public float[] embedText(String text) {
            return normalised(client.embedText(text));
        }

        private static float[] normalised(float[] v) {
            Vectors.normalise(v);
            return v;
        }
    }
}
