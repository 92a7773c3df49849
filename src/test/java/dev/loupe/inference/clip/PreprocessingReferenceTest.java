package dev.loupe.inference.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.testing.Fixtures;
import dev.loupe.testing.Images;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Loupe's model input is bit-identical to the reference pipelines' (Pillow resize, then
 * float32 normalisation in numpy) for every reference image under every resize mode
 * with every filter: the resampler is a port of Pillow's fixed-point one and the
 * normalisation is the same float32 operations in the same order, so no tolerance is
 * needed and none is allowed.
 */
class PreprocessingReferenceTest {
    private static final int IMAGES = 6;
    private static final Set<String> MODES = Set.of("squash", "shortest");
    private static final Set<String> FILTERS = Set.of("bicubic", "bilinear", "lanczos", "nearest");

    @Test
    void javaTensorsAreBitIdenticalToPillowsForEveryModeAndFilter() throws Exception {
        Path dir = Fixtures.preprocessingReference();
        JsonNode reference = Json.read(Files.readString(dir.resolve("reference.json")));
        List<String> failures = new ArrayList<>();
        Set<String> combinations = new TreeSet<>();
        int cases = 0;
        for (JsonNode e : reference.path("entries")) {
            Preprocessing p = preprocessing(e);
            combinations.add(p.resizeMode().wireName() + "/" + p.interpolation());
            float[] mine = new float[3 * p.width() * p.height()];
            ImageTensor.write(Images.readRgb(dir.resolve(e.path("image").asText())), p, mine, 0);
            float[] theirs = Images.readFloats(dir.resolve(e.path("tensor").asText()));
            assertEquals(theirs.length, mine.length, "tensor size for " + e);
            int plane = p.width() * p.height(), differing = 0;
            double[] maxPixels = new double[3]; // per channel, in 1/255 steps: each channel by its own std
            for (int i = 0; i < mine.length; i++) {
                if (Float.floatToRawIntBits(mine[i]) == Float.floatToRawIntBits(theirs[i])) continue;
                differing++;
                int c = i / plane;
                maxPixels[c] = Math.max(maxPixels[c], Math.abs(mine[i] - theirs[i]) * p.std()[c] * 255);
            }
            if (differing > 0) {
                failures.add(String.format("%s %s/%s %dx%d: %d of %d values differ, max R %.3f G %.3f B %.3f (1/255 steps)",
                        e.path("image").asText(), p.resizeMode().wireName(), p.interpolation(), p.width(), p.height(), differing,
                        mine.length, maxPixels[0], maxPixels[1], maxPixels[2]));
            }
            cases++;
        }
        assertEquals(List.of(), failures, "tensors that differ from Pillow's");
        Set<String> expected = new TreeSet<>();
        for (String m : MODES) for (String f : FILTERS) expected.add(m + "/" + f);
        assertEquals(expected, combinations, "every resize mode is checked with every filter");
        // two normalisations per mode and filter, for each drawn image
        assertEquals(IMAGES * expected.size() * 2, cases, "reference cases run");
    }

    private static Preprocessing preprocessing(JsonNode e) {
        ObjectNode cfg = Json.object();
        cfg.set("size", e.path("size"));
        cfg.put("resize_mode", e.path("mode").asText()).put("interpolation", e.path("interpolation").asText());
        cfg.set("mean", e.path("mean"));
        cfg.set("std", e.path("std"));
        return Preprocessing.fromConfig(cfg);
    }
}
