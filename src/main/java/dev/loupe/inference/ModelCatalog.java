package dev.loupe.inference;

import dev.loupe.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The models Loupe knows by name: manifests shipped with Loupe ({@code models/*.json} on
 * the class path, listed in {@code models/index.json}) and any {@code *.manifest.json}
 * an operator drops into the models directory, which win on a name clash.
 */
public final class ModelCatalog {
    private final Map<String, ModelManifest> manifests = new LinkedHashMap<>();

    public ModelCatalog(Path modelsDir) {
        for (var name : Json.read(resource("models/index.json")).path("models")) {
            add(Json.read(resource("models/" + name.asText() + ".json"), ModelManifest.class));
        }
        if (Files.isDirectory(modelsDir)) {
            try (Stream<Path> files = Files.list(modelsDir)) {
                for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".manifest.json")).sorted().toList()) {
                    add(Json.read(Files.readString(p), ModelManifest.class));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read model manifests in " + modelsDir, e);
            }
        }
    }

    private void add(ModelManifest m) {
        manifests.put(m.name(), m);
    }

    public Optional<ModelManifest> find(String name) {
        return Optional.ofNullable(manifests.get(name));
    }

    public Map<String, ModelManifest> all() {
        return Map.copyOf(manifests);
    }

    private static String resource(String path) {
        try (InputStream in = ModelCatalog.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing bundled resource " + path);
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
