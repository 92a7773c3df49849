package dev.loupe.inference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Loupe's model input equals the reference pipelines' (Pillow resize, then float32
 * normalisation) for every image and preprocessing configuration the reference script
 * covers: within 1/255 on at least 99.9% of values, as the issue demands; the port of
 * Pillow's fixed-point resampler in fact matches exactly.
 */
class PreprocessingReferenceTest {
    @Test
    void javaTensorsMatchPillowsOnEveryReferenceCase() throws Exception {
        Path dir = Fixtures.preprocessingReference();
        JsonNode reference = Json.read(Files.readString(dir.resolve("reference.json")));
        StringBuilder report = new StringBuilder();
        for (JsonNode e : reference.path("entries")) {
            ObjectPreprocessing p = ObjectPreprocessing.of(e);
            BufferedImage image = ImageIO.read(dir.resolve(e.path("image").asText()).toFile());
            BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
            rgb.getGraphics().drawImage(image, 0, 0, null);
            float[] mine = new float[3 * p.preprocessing().width() * p.preprocessing().height()];
            ImageTensor.write(rgb, p.preprocessing(), mine, 0);
            float[] theirs = floats(dir.resolve(e.path("tensor").asText()));
            assertTrue(theirs.length == mine.length, "tensor size " + e);
            int within = 0;
            double maxDiff = 0;
            for (int i = 0; i < mine.length; i++) {
                double d = Math.abs(mine[i] - theirs[i]) * p.minStd(); // back in [0, 1] pixel units
                maxDiff = Math.max(maxDiff, d);
                if (d <= 1.0 / 255 + 1e-6) within++;
            }
            double fraction = within / (double) mine.length;
            report.append(String.format("%s %s/%s: %.5f within 1/255, max %.6f%n", e.path("image").asText(),
                    e.path("mode").asText(), e.path("interpolation").asText(), fraction, maxDiff * 255));
            assertTrue(fraction >= 0.999, "too far from Pillow for " + e + ":\n" + report);
        }
        System.out.print(report);
    }

    /** A reference entry's preprocessing, and the smallest std (which scales errors back to pixel units). */
    private record ObjectPreprocessing(Preprocessing preprocessing, double minStd) {
        static ObjectPreprocessing of(JsonNode e) {
            JsonNode cfg = Json.object().set("size", e.path("size"));
            ((com.fasterxml.jackson.databind.node.ObjectNode) cfg).put("resize_mode", e.path("mode").asText())
                    .put("interpolation", e.path("interpolation").asText())
                    .set("mean", e.path("mean"));
            ((com.fasterxml.jackson.databind.node.ObjectNode) cfg).set("std", e.path("std"));
            Preprocessing p = Preprocessing.fromConfig(cfg);
            double min = Math.min(p.std()[0], Math.min(p.std()[1], p.std()[2]));
            return new ObjectPreprocessing(p, min);
        }
    }

    private static float[] floats(Path file) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }
}
