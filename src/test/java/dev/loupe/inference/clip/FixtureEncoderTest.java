package dev.loupe.inference.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.inference.ModelRepository;
import dev.loupe.inference.ModelUnavailableException;
import dev.loupe.inference.Vectors;
import dev.loupe.testing.Fixtures;
import dev.loupe.testing.Images;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fixture dual encoder behaves as documented in scripts/fixture_encoder.py. */
class FixtureEncoderTest {
    private static DualEncoders models;
    private static DualEncoder encoder;

    @BeforeAll
    static void load() {
        models = new DualEncoders(new ModelRepository(Fixtures.modelsDir()));
        encoder = models.encoder(Fixtures.MODEL);
    }

    @AfterAll
    static void close() {
        models.close();
    }

    @Test
    void anImageDominatedByAColourEmbedsNearThatColoursNameAndFarFromTheOthers() {
        List<String> colours = List.copyOf(Images.BASIC.keySet());
        float[][] images = encoder.embedImages(colours.stream().map(c -> Images.dominant(Images.BASIC.get(c), 320, 240, c.hashCode())).toList());
        for (int i = 0; i < colours.size(); i++) {
            for (int j = 0; j < colours.size(); j++) {
                float cos = Vectors.dot(images[i], encoder.embedText("a " + colours.get(j) + " product photo"));
                if (i == j) assertTrue(cos > 0.8, colours.get(i) + " image vs its name: " + cos);
                else assertTrue(cos < 0.3, colours.get(i) + " image vs " + colours.get(j) + ": " + cos);
            }
        }
    }

    @Test
    void embeddingsAre768DimensionalAndUnitLength() {
        float[] text = encoder.embedText("Red leather HANDBAG, with a gold buckle!");
        float[] image = encoder.embedImages(List.of(Images.dominant(Images.BASIC.get("red"), 64, 64, 1)))[0];
        assertEquals(768, text.length);
        assertEquals(768, image.length);
        assertEquals(1.0, Vectors.dot(text, text), 1e-4);
        assertEquals(1.0, Vectors.dot(image, image), 1e-4);
        assertTrue(Vectors.dot(text, image) > 0.8, "case and punctuation do not matter to the tokenizer");
    }

    @Test
    void textsEmbeddedInOneBatchGetTheVectorsEachGetsAlone() {
        List<String> texts = List.of("a red product photo", "", "blue blue blue green", "yellow ".repeat(40));
        float[][] batch = encoder.embedTexts(texts);
        assertEquals(texts.size(), batch.length);
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(encoder.embedText(texts.get(i)), batch[i], 1e-5f, "row " + i + " belongs to text " + i);
        }
        assertEquals(0, encoder.embedTexts(List.of()).length);
    }

    @Test
    void tokensArePaddedAndTruncatedToTheContextLength() {
        assertEquals(16, encoder.tokenize("").length);
        assertEquals(16, encoder.tokenize("red ".repeat(100)).length);
        long[] ids = encoder.tokenize("red blue");
        assertTrue(ids[0] > 1 && ids[1] > 1 && ids[2] == 0, java.util.Arrays.toString(ids));
    }

    @Test
    void aMissingModelIsOneClearError() {
        ModelUnavailableException e = org.junit.jupiter.api.Assertions.assertThrows(ModelUnavailableException.class,
                () -> models.encoder("siglip_base_absent"));
        assertTrue(e.getMessage().contains("not installed") && e.getMessage().contains("siglip_base_absent"), e.getMessage());
    }
}
