package dev.loupe.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code <model>/loupe-lock.json}: what earlier pulls established, enforced by later ones:
 * the hub commit the model's files come from, and the SHA-256 of each installed file.
 *
 * <pre>{"hub": {"repo": "immich-app/…", "commit": "9f1c…"}, "sha256": {"visual/model.onnx": "…"}}</pre>
 *
 * @param repo   the hub repository the commit belongs to; null when no file came from a hub
 * @param commit the commit every hub file of the model comes from; null when none was resolved yet
 */
public record ModelLock(String repo, String commit, Map<String, String> sha256) {
    public static final String FILE = "loupe-lock.json";

    public ModelLock {
        sha256 = new TreeMap<>(sha256);
    }

    public static ModelLock read(Path modelDir) {
        Path file = modelDir.resolve(FILE);
        if (!Files.isRegularFile(file)) return new ModelLock(null, null, Map.of());
        try {
            JsonNode root = Json.read(Files.readString(file));
            Map<String, String> sums = new TreeMap<>();
            root.path("sha256").properties().forEach(e -> sums.put(e.getKey(), e.getValue().asText()));
            JsonNode hub = root.path("hub");
            return new ModelLock(hub.path("repo").textValue(), hub.path("commit").textValue(), sums);
        } catch (IOException | RuntimeException e) {
            throw new ModelUnavailableException("cannot read " + file + ": " + e.getMessage()
                    + " (delete it to verify the model's files afresh on the next pull)", e);
        }
    }

    /** This lock for another commit: file hashes of the old one no longer apply. */
    public ModelLock atCommit(String newRepo, String newCommit) {
        return new ModelLock(newRepo, newCommit, Map.of());
    }

    /** Records a file's hash (the lock is mutable only through this, and only in memory until written). */
    public void put(String path, String hash) {
        sha256.put(path, hash);
    }

    /** Writes the lock atomically, so a pull killed midway leaves either the old lock or the new one. */
    public void write(Path modelDir) {
        ObjectNode root = Json.object();
        if (commit != null) {
            ObjectNode hub = root.putObject("hub");
            hub.put("repo", repo);
            hub.put("commit", commit);
        }
        ObjectNode sums = root.putObject("sha256");
        sha256.forEach(sums::put);
        try {
            Files.createDirectories(modelDir);
            Path tmp = modelDir.resolve(FILE + ".tmp");
            Files.writeString(tmp, Json.write(root));
            Files.move(tmp, modelDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ModelUnavailableException("cannot write " + modelDir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }
}
