package dev.loupe.inference.face;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.testing.Images;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A detector's input tensor, as Loupe lays it out straight from the resized planes, is
 * bit-identical to insightface's letterbox done with Pillow and numpy
 * ({@code scripts/letterbox_reference.py}): the same scaled size and {@code det_scale}, Pillow's
 * bilinear resize, the zero border, the normalisation and the channel order, for images shrunk,
 * enlarged, tall, thin, tiny and already at size.
 */
class LetterboxReferenceTest {
    @TempDir
    Path dir;

    @Test
    void detectorTensorsAreBitIdenticalToAPillowLetterbox() throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "scripts/letterbox_reference.py", dir.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "scripts/letterbox_reference.py (needs Debian's python3-numpy, python3-pil) failed:\n" + log);
        JsonNode reference = Json.read(Files.readString(dir.resolve("reference.json")));
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (JsonNode e : reference.path("entries")) {
            BufferedImage image = Images.readRgb(dir.resolve(e.path("image").asText()));
            int size = e.path("input_size").asInt();
            int[] order = new int[3];
            for (int c = 0; c < 3; c++) order[c] = e.path("order").get(c).asInt();
            DetectorInput in = DetectorInput.of(image, size);
            float[] mine = new float[3 * size * size];
            in.letterbox().writeTensor(in.scaled(), order, (float) e.path("mean").asDouble(), (float) e.path("std").asDouble(), java.nio.FloatBuffer.wrap(mine), 0);
            float[] theirs = Images.readFloats(dir.resolve(e.path("tensor").asText()));
            String what = image.getWidth() + "×" + image.getHeight() + " at " + size;
            assertEquals(theirs.length, mine.length, "tensor size for " + what);
            assertEquals((float) e.path("scale").asDouble(), in.letterbox().scale(), "det_scale for " + what);
            int differing = 0;
            for (int i = 0; i < mine.length; i++) if (Float.floatToRawIntBits(mine[i]) != Float.floatToRawIntBits(theirs[i])) differing++;
            if (differing > 0) failures.add(what + ": " + differing + " of " + mine.length + " values differ");
            cases++;
        }
        assertEquals(List.of(), failures, "tensors that differ from the Pillow letterbox");
        assertEquals(14, cases, "seven drawn images, each at two detector sizes");
    }
}
