package dev.loupe.inference.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.inference.ModelRepository;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaceEmbedderTest {

    /**
     * face_embed_512.onnx has a fixed batch of 1; {@code scripts/face_embed_dynamic.py} makes a
     * dynamic-batch copy of it, so the same weights answer both ways.
     */
    @Test
    void aDynamicBatchGraphEmbedsManyFacesPerRunAndAgreesWithOneByOne(@TempDir Path tmp) throws Exception {
        Path dynamic = tmp.resolve("face_embed_512_dynamic.onnx");
        Process p = new ProcessBuilder("/usr/bin/python3", "scripts/face_embed_dynamic.py", SharedFaceModels.dir().resolve("face_embed_512.onnx").toString(),
                dynamic.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "scripts/face_embed_dynamic.py (needs Debian's python3-onnx) failed:\n" + log);
        Path models = tmp.resolve("models");
        SharedFaceModels.installFiles(models);
        SharedFaceModels.recognizer(models, "face_embed_dynamic", dynamic);
        try (ModelRepository repository = new ModelRepository(models); FaceModels faces = new FaceModels(repository)) {
            FaceEmbedder batched = faces.embedder("face_embed_dynamic"), single = faces.embedder(SharedFaceModels.EMBED);
            assertTrue(batched.batched());
            List<BufferedImage> crops = new ArrayList<>();
            int n = FaceEmbedder.MAX_BATCH + 6; // two runs: a full batch and a partial one
            for (int i = 0; i < n; i++) crops.add(noise(i));
            float[][] a = batched.embed(crops), b = single.embed(crops);
            assertEquals(n, a.length);
            double worst = 0;
            for (int i = 0; i < n; i++) for (int k = 0; k < 512; k++) worst = Math.max(worst, Math.abs(a[i][k] - b[i][k]));
            assertTrue(worst < 1e-5, "largest difference between batched and single embeddings: " + worst);
        }
    }

    @Test
    void noCropsGiveNoEmbeddings(@TempDir Path models) {
        try (ModelRepository repository = SharedFaceModels.install(models); FaceModels faces = new FaceModels(repository)) {
            assertEquals(0, faces.embedder(SharedFaceModels.EMBED).embed(List.of()).length);
        }
    }

    private static BufferedImage noise(long seed) {
        BufferedImage img = new BufferedImage(FaceAligner.SIZE, FaceAligner.SIZE, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < FaceAligner.SIZE; y++) for (int x = 0; x < FaceAligner.SIZE; x++) img.setRGB(x, y, r.nextInt(1 << 24));
        return img;
    }
}
