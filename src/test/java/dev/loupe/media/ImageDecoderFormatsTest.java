package dev.loupe.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Every format in the issue decodes to the picture Pillow sees in the same file: lossless
 * formats exactly (to 16-bit rounding), lossy ones within decoder-to-decoder differences.
 */
class ImageDecoderFormatsTest {
    /** Largest mean absolute difference per channel value allowed, by case; absent means lossless. */
    private static final Map<String, Double> LOSSY = Map.of(
            "jpeg_baseline", 1.5, "jpeg_progressive", 1.5, "jpeg_grayscale", 1.5, "jpeg_cmyk", 12.0, "webp_lossy", 2.0,
            "heic", 4.0, "avif", 4.0);

    @Test
    void heifImagesWithoutLibvipsAreOneClearError() throws Exception {
        Path dir = Fixtures.imageFormats();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(dir.resolve("heic.heic")), "the vips command was not there to write a HEIC fixture");
        ImageException e = org.junit.jupiter.api.Assertions.assertThrows(ImageException.class, () ->
                new ImageDecoder(10_000_000, Optional.empty(), Optional.empty()).decode(Files.readAllBytes(dir.resolve("heic.heic")), 64, 64));
        assertTrue(e.getMessage().contains("libvips"), e.getMessage());
    }

    @Test
    void everyFormatDecodesToPillowsPicture() throws Exception {
        Path dir = Fixtures.imageFormats();
        JsonNode cases = Json.read(Files.readString(dir.resolve("formats.json")));
        ImageDecoder decoder = new ImageDecoder(10_000_000);
        StringBuilder report = new StringBuilder();
        for (var e : cases.properties()) {
            String name = e.getKey();
            if ((name.equals("heic") || name.equals("avif")) && Vips.load().isEmpty()) {
                report.append(name).append(": skipped, libvips is not installed\n");
                continue;
            }
            ImageDecoder.Decoded d = decoder.decode(Files.readAllBytes(dir.resolve(e.getValue().asText())), 4096, 4096);
            BufferedImage expected = ImageIO.read(dir.resolve(name + ".expected.png").toFile());
            assertEquals(expected.getWidth(), d.image().getWidth(), name);
            assertEquals(expected.getHeight(), d.image().getHeight(), name);
            double[] diff = difference(d.image(), expected);
            report.append(String.format("%-18s %-6s mean %.3f max %.0f%n", name, d.format(), diff[0], diff[1]));
            Double allowed = LOSSY.get(name);
            if (allowed == null) assertTrue(diff[1] <= 1, name + " must be lossless:\n" + report);
            else assertTrue(diff[0] <= allowed, name + " too far from Pillow:\n" + report);
        }
        System.out.print(report);
    }

    private static double[] difference(BufferedImage a, BufferedImage b) {
        double sum = 0;
        int max = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y), q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    int d = Math.abs(((p >> shift) & 0xff) - ((q >> shift) & 0xff));
                    sum += d;
                    max = Math.max(max, d);
                }
            }
        }
        return new double[] {sum / (3.0 * a.getWidth() * a.getHeight()), max};
    }
}
