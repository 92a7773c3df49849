package dev.loupe.inference.face;

import dev.loupe.inference.ModelRepository;
import dev.loupe.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real face weights in {@code ../shared/models/face}, installed the way an operator
 * installs a model by hand: a {@code NAME.manifest.json} in the models directory and the
 * graph in {@code NAME/} (a symbolic link, so nothing is copied). The repository is offline:
 * nothing here may touch the network.
 */
final class SharedFaceModels {
    static final String SCRFD_500M = "scrfd_500m", SCRFD_2_5G = "scrfd_2.5g", YUNET = "yunet_2023mar", EMBED = "face_embed_512";
    private static final String INSIGHTFACE = "insightface pretrained weights: non-commercial research only";

    private SharedFaceModels() {}

    static Path dir() {
        return Fixtures.shared().resolve("models/face").toAbsolutePath().normalize();
    }

    /** An offline repository over {@code modelsDir} holding the four shared face graphs. */
    static ModelRepository install(Path modelsDir) {
        installFiles(modelsDir);
        return new ModelRepository(modelsDir);
    }

    /** Writes the four shared face graphs' manifests and links into {@code modelsDir}. */
    static void installFiles(Path modelsDir) {
        detector(modelsDir, SCRFD_500M, "scrfd_500m.onnx", INSIGHTFACE, ", \"input_size\": 640");
        detector(modelsDir, SCRFD_2_5G, "scrfd_2.5g.onnx", INSIGHTFACE, ", \"input_size\": 640");
        detector(modelsDir, YUNET, "yunet_2023mar.onnx", "MIT", "");
        recognizer(modelsDir, EMBED, dir().resolve("face_embed_512.onnx"));
    }

    /** A hand-installed recogniser with face_embed_512's input normalisation, (x − 127) / 128 as MODELS.md gives it. */
    static void recognizer(Path modelsDir, String name, Path graph) {
        write(modelsDir, name, graph, "face_recognizer", "package says MIT",
                "\"recognizer\": {\"file\": \"model.onnx\", \"input_mean\": 127, \"input_std\": 128}");
    }

    private static void detector(Path modelsDir, String name, String file, String license, String size) {
        write(modelsDir, name, dir().resolve(file), "face_detector", license, "\"detector\": {\"file\": \"model.onnx\"" + size + "}");
    }

    private static void write(Path modelsDir, String name, Path graph, String kind, String license, String face) {
        try {
            Path folder = Files.createDirectories(modelsDir.resolve(name));
            Path link = folder.resolve("model.onnx");
            if (!Files.exists(link)) Files.createSymbolicLink(link, graph.toAbsolutePath());
            Files.writeString(modelsDir.resolve(name + ".manifest.json"), """
                    {"name": "%s", "kind": "%s", "description": "%s, installed by hand",
                     "source": "../shared/models/MODELS.md", "license": "%s",
                     "files": [{"path": "model.onnx"}], "face": {%s}}
                    """.formatted(name, kind, graph.getFileName(), license, face));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
