package dev.loupe.inference.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Json;
import dev.loupe.inference.ModelCatalog;
import dev.loupe.inference.ModelKind;
import dev.loupe.inference.ModelManifest;
import dev.loupe.inference.ModelRepository;
import dev.loupe.inference.ModelUnavailableException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaceModelsTest {

    @Test
    void bundledBuffaloPacksComeFromImmichAndSayTheyAreForNonCommercialResearch(@TempDir Path models) {
        ModelCatalog catalog = new ModelCatalog(models);
        for (String name : List.of("buffalo_s", "buffalo_m", "buffalo_l")) {
            ModelManifest m = catalog.find(name).orElseThrow();
            assertEquals(ModelKind.FACE_PACK, m.kind());
            assertEquals("immich-app/" + name, m.hub().repo());
            assertEquals(List.of("detection/model.onnx", "recognition/model.onnx"), m.files().stream().map(ModelManifest.ModelFile::path).toList());
            assertEquals("detection/model.onnx", m.face().detector().file());
            assertEquals("recognition/model.onnx", m.face().recognizer().file());
            assertTrue(m.license().contains("non-commercial research only"), m.license());
        }
        ModelManifest yunet = catalog.find("yunet_2023mar").orElseThrow();
        assertEquals(ModelKind.FACE_DETECTOR, yunet.kind());
        assertEquals("MIT", yunet.license());
        assertEquals(ModelKind.DUAL_ENCODER, catalog.find("siglip_base").orElseThrow().kind());
    }

    @Test
    void aMissingFacePackOfflineIsOneErrorNamingItsFilesAndWhereTheyComeFrom(@TempDir Path models) {
        try (ModelRepository repository = new ModelRepository(models); FaceModels faces = new FaceModels(repository)) {
            String message = assertThrows(ModelUnavailableException.class, () -> faces.detector("buffalo_l")).getMessage();
            assertTrue(message.contains("offline") && message.contains("detection/model.onnx") && message.contains("recognition/model.onnx")
                    && message.contains("immich-app/buffalo_l"), message);
            assertFalse(message.contains("fixture-model"), "the colour fixture is no stand-in for a face model: " + message);
        }
    }

    @Test
    void aModelOfAnotherKindIsRefusedByName(@TempDir Path models) {
        try (ModelRepository repository = SharedFaceModels.install(models); FaceModels faces = new FaceModels(repository)) {
            assertTrue(assertThrows(ModelUnavailableException.class, () -> faces.detector("siglip_base")).getMessage().contains("is a dual_encoder"));
            assertTrue(assertThrows(ModelUnavailableException.class, () -> faces.embedder(SharedFaceModels.SCRFD_500M)).getMessage()
                    .contains("is a face_detector"));
        }
    }

    @Test
    void aFaceGraphMissingFromTheManifestsFilesIsRefused() {
        String json = """
                {"name": "x", "kind": "face_detector", "files": [{"path": "a.onnx"}], "face": {"detector": {"file": "b.onnx"}}}""";
        Exception e = assertThrows(Exception.class, () -> Json.read(json, ModelManifest.class));
        assertTrue(String.valueOf(e.getMessage()).contains("face graph b.onnx is not among its files"), e.getMessage());
    }

    @Test
    void operatorManifestsLoadEachFamilyFromItsGraph(@TempDir Path models) {
        try (ModelRepository repository = SharedFaceModels.install(models); FaceModels faces = new FaceModels(repository)) {
            Scrfd scrfd = assertInstanceOf(Scrfd.class, faces.detector(SharedFaceModels.SCRFD_500M));
            assertEquals(9 / 3, scrfd.layout().strides().length);
            assertEquals(2, scrfd.layout().anchors());
            assertEquals(640, scrfd.inputSize());
            Yunet yunet = assertInstanceOf(Yunet.class, faces.detector(SharedFaceModels.YUNET));
            assertEquals(640, yunet.inputSize());
            FaceEmbedder embedder = faces.embedder(SharedFaceModels.EMBED);
            assertEquals(512, embedder.dimension());
            assertFalse(embedder.batched(), "face_embed_512.onnx has a fixed batch of 1");
            assertEquals(scrfd, faces.detector(SharedFaceModels.SCRFD_500M), "loaded once and shared");
        }
    }
}
