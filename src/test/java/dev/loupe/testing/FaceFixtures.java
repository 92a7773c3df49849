package dev.loupe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.extractor.ExtractorCatalog;
import dev.loupe.extractor.FaceIdentityExtractor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real face weights of {@code ../shared/models/face}, installed the way an operator installs
 * models by hand — a {@code NAME.manifest.json} in the models directory and the graph in
 * {@code NAME/} (a symbolic link: nothing is copied) — beside the fixture image encoder, and the
 * labelled photos of {@code ../shared/data/faces}. Nothing here touches the network.
 *
 * <p>The models take the names Loupe's defaults give insightface's packs, as an operator's
 * manifests replacing them would: {@code buffalo_s} is SCRFD-500MF, {@code buffalo_m} SCRFD-2.5GF,
 * and {@code buffalo_l} the shared 512-d recogniser, so a server started on {@link #modelsDir()}
 * runs {@code face_identity_extractor} with its default model names.
 */
public final class FaceFixtures {
    public static final String SCRFD_500M = "buffalo_s", SCRFD_2_5G = "buffalo_m", RECOGNIZER = "buffalo_l";
    private static final String INSIGHTFACE = "insightface pretrained weights: non-commercial research only";

    private FaceFixtures() {}

    /** The names {@link #modelsDir()} installs, for an {@link ExtractorCatalog} built by hand. */
    public static ExtractorCatalog.FaceModelNames names() {
        return new ExtractorCatalog.FaceModelNames(Map.of(
                FaceIdentityExtractor.DetectionModel.SCRFD_500M, SCRFD_500M,
                FaceIdentityExtractor.DetectionModel.SCRFD_2_5G, SCRFD_2_5G,
                FaceIdentityExtractor.DetectionModel.SCRFD_10G, "scrfd_10g_not_installed"), RECOGNIZER);
    }

    /** A models directory with the fixture image encoder and the shared face graphs. */
    public static synchronized Path modelsDir() {
        Path dir = Path.of(System.getProperty("loupe.fixtures", "target/fixtures")).resolve("face-models").toAbsolutePath();
        try {
            Files.createDirectories(dir);
            link(dir.resolve(Fixtures.MODEL), Fixtures.modelsDir().resolve(Fixtures.MODEL).toAbsolutePath());
            write(dir, SCRFD_500M, "scrfd_500m.onnx", "face_detector", INSIGHTFACE, "\"detector\": {\"file\": \"model.onnx\", \"input_size\": 640}");
            write(dir, SCRFD_2_5G, "scrfd_2.5g.onnx", "face_detector", INSIGHTFACE, "\"detector\": {\"file\": \"model.onnx\", \"input_size\": 640}");
            // MODELS.md: this graph takes (x − 127) / 128, like the npm package it comes from.
            write(dir, RECOGNIZER, "face_embed_512.onnx", "face_recognizer", "package says MIT",
                    "\"recognizer\": {\"file\": \"model.onnx\", \"input_mean\": 127, \"input_std\": 128}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    public static Path weights() {
        return Fixtures.shared().resolve("models/face").toAbsolutePath().normalize();
    }

    public static Path photos() {
        return Fixtures.shared().resolve("data/faces").toAbsolutePath().normalize();
    }

    /** {@code identities.json}: each labelled photo file and the person it shows, in file order. */
    public static Map<String, String> identities() {
        JsonNode people = Json.read(readString(photos().resolve("identities.json")));
        Map<String, String> byFile = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = people.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> person = it.next();
            for (JsonNode file : person.getValue()) byFile.put(file.asText(), person.getKey());
        }
        return byFile;
    }

    public static List<String> people() {
        return new ArrayList<>(new java.util.LinkedHashSet<>(identities().values()));
    }

    public static byte[] photo(String file) {
        try {
            return Files.readAllBytes(photos().resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path modelsDir, String name, String file, String kind, String license, String face) throws IOException {
        Path folder = Files.createDirectories(modelsDir.resolve(name));
        link(folder.resolve("model.onnx"), weights().resolve(file));
        Files.writeString(modelsDir.resolve(name + ".manifest.json"), """
                {"name": "%s", "kind": "%s", "description": "../shared/models/face/%s, installed by hand",
                 "source": "../shared/models/MODELS.md", "license": "%s",
                 "files": [{"path": "model.onnx"}], "face": {%s}}
                """.formatted(name, kind, file, license, face));
    }

    private static void link(Path link, Path target) throws IOException {
        if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(target)) return;
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, target);
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
