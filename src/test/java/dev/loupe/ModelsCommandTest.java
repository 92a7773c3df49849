package dev.loupe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.inference.ModelRepository;
import dev.loupe.inference.Vectors;
import dev.loupe.inference.clip.DualEncoder;
import dev.loupe.inference.clip.DualEncoders;
import dev.loupe.testing.Fixtures;
import dev.loupe.testing.Images;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code loupe models} commands, and the quality cost of the int8 option. */
class ModelsCommandTest {
    @Test
    void quantizeMakesAnInt8ModelThatEmbedsLikeTheOriginal(@TempDir Path models) throws Exception {
        copy(Fixtures.modelsDir().resolve(Fixtures.MODEL), models.resolve(Fixtures.MODEL));
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = ModelsCommand.run(new String[] {"quantize", Fixtures.MODEL, "colours-int8", "--models-dir", models.toString()},
                new PrintStream(out), new PrintStream(err));
        assertEquals(0, rc, err.toString());
        assertTrue(out.toString().contains("visual: 1 weights quantised"), out.toString());
        assertTrue(Files.isRegularFile(models.resolve("colours-int8.manifest.json")));
        // judged from the ONNX files themselves, so a float copy under the new name cannot pass
        JsonNode fp32Visual = onnxSummary(models.resolve(Fixtures.MODEL).resolve("visual/model.onnx"));
        JsonNode int8Visual = onnxSummary(models.resolve("colours-int8/visual/model.onnx"));
        assertEquals(1, fp32Visual.path("float_matmul_weights").asInt(), "the fixture's visual tower has one float weight: " + fp32Visual);
        assertFalse(fp32Visual.path("initializers").has("INT8"), fp32Visual.toString());
        assertEquals(0, int8Visual.path("float_matmul_weights").asInt(), "no float weight is left to a MatMul: " + int8Visual);
        assertEquals(1, int8Visual.path("ops").path("MatMulInteger").asInt(), int8Visual.toString());
        assertEquals(1, int8Visual.path("ops").path("DynamicQuantizeLinear").asInt(), int8Visual.toString());
        assertTrue(int8Visual.path("initializers").path("INT8").asInt() >= 1, "the weight is stored as int8: " + int8Visual);
        List<String> colours = List.copyOf(Images.BASIC.keySet());
        try (ModelRepository repo = new ModelRepository(models); DualEncoders encoders = new DualEncoders(repo)) {
            DualEncoder fp32 = encoders.encoder(Fixtures.MODEL), int8 = encoders.encoder("colours-int8");
            var images = colours.stream().map(c -> Images.dominant(Images.BASIC.get(c), 200, 150, c.length())).toList();
            float[][] a = fp32.embedImages(images), b = int8.embedImages(images);
            for (int i = 0; i < colours.size(); i++) {
                assertTrue(Vectors.dot(a[i], b[i]) > 0.99, colours.get(i) + ": fp32 vs int8 cosine " + Vectors.dot(a[i], b[i]));
                float own = Vectors.dot(b[i], int8.embedText(colours.get(i)));
                for (String other : colours) {
                    if (!other.equals(colours.get(i))) assertTrue(own > Vectors.dot(b[i], int8.embedText(other)), colours.get(i) + " vs " + other);
                }
            }
        }
        ByteArrayOutputStream listed = new ByteArrayOutputStream();
        assertEquals(0, ModelsCommand.run(new String[] {"list", "--models-dir", models.toString()}, new PrintStream(listed), System.err));
        assertTrue(listed.toString().contains("colours-int8") && listed.toString().contains("siglip_base"), listed.toString());
    }

    @Test
    void badUsageIsExplained() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, ModelsCommand.run(new String[] {"frobnicate"}, System.out, new PrintStream(err)));
        assertTrue(err.toString().contains("list, pull, quantize"));
        assertEquals(1, ModelsCommand.run(new String[] {"pull", "no-such-model", "--models-dir", "/tmp"}, System.out, new PrintStream(err)));
        assertTrue(err.toString().contains("no manifest for model 'no-such-model'"), err.toString());
    }

    @Test
    void theDefaultModelIsPulledFromTheHubWithNoTrustFlagAndListedWithItsCommit(@TempDir Path models) throws Exception {
        java.util.Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        for (String f : DualEncoder.LAYOUT) files.put(f, Files.readAllBytes(Fixtures.modelsDir().resolve(Fixtures.MODEL).resolve(f)));
        try (dev.loupe.testing.HubStandIn hub = new dev.loupe.testing.HubStandIn()) {
            hub.commit("immich-app/ViT-B-16-SigLIP__webli", "0123456789abcdef0123456789abcdef01234567", files);
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int rc = ModelsCommand.run(new String[] {"pull", "siglip_base", "--models-dir", models.toString(), "--model-endpoint", hub.endpoint()},
                    new PrintStream(out), new PrintStream(err));
            assertEquals(0, rc, err.toString());
            assertTrue(out.toString().contains("is commit 0123456789abcdef0123456789abcdef01234567"), out.toString());
            assertTrue(out.toString().contains("siglip_base installed in " + models.resolve("siglip_base")), out.toString());
        }
        ByteArrayOutputStream listed = new ByteArrayOutputStream();
        assertEquals(0, ModelsCommand.run(new String[] {"list", "--models-dir", models.toString()}, new PrintStream(listed), System.err));
        assertTrue(listed.toString().matches("(?s).*siglip_base \\*\\s+yes\\s+hub@0123456789ab.*"), listed.toString());
    }

    @Test
    void listShowsEachModelsKindAndLicenceSoInsightfacesTermsAreSeenBeforeChoosingIt(@TempDir Path models) {
        ByteArrayOutputStream listed = new ByteArrayOutputStream();
        assertEquals(0, ModelsCommand.run(new String[] {"list", "--models-dir", models.toString()}, new PrintStream(listed), System.err));
        String out = listed.toString();
        for (String pack : List.of("buffalo_s", "buffalo_m", "buffalo_l")) {
            assertTrue(out.matches("(?s).*\\n" + pack + "\\s+no\\s+hub, main\\s+face_pack\\s+insightface pretrained weights: non-commercial research only\\s+https://huggingface.co/immich-app/" + pack + "\\n.*"), out);
        }
        assertTrue(out.matches("(?s).*\\nyunet_2023mar\\s+no\\s+hub, main\\s+face_detector\\s+MIT\\s.*"), out);
        assertTrue(out.matches("(?s).*\\nsiglip_base \\*\\s+no\\s+hub, main\\s+dual_encoder\\s+Apache-2.0\\s.*"), out);
    }

    /** Op and initialiser counts of an ONNX file, read by Debian's python3-onnx (scripts/onnx_summary.py). */
    private static JsonNode onnxSummary(Path model) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "scripts/onnx_summary.py", model.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "onnx_summary.py failed:\n" + out);
        return Json.read(out);
    }

    private static void copy(Path from, Path to) throws Exception {
        try (var files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }
}
