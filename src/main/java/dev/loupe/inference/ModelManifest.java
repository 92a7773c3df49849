package dev.loupe.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What Loupe needs to know to fetch and run a dual encoder, so that another model of
 * the OpenCLIP/Immich export family is a manifest rather than code.
 *
 * <pre>
 * {"name": "siglip_base", "source": "...", "license": "...", "embedding_dimension": 768,
 *  "files": [{"path": "visual/model.onnx", "url": "{hf}/immich-app/.../visual/model.onnx", "sha256": "…", "size": 123}],
 *  "preprocessing": {"size": [224, 224], "resize_mode": "squash", "interpolation": "bicubic", "mean": […], "std": […]},
 *  "text": {"context_length": 64, "pad_id": 1, "clean": "canonicalize"}}
 * </pre>
 *
 * {@code {hf}} in a URL stands for the Hugging Face endpoint (configurable, for mirrors).
 * A file whose {@code sha256} is null is <em>unpinned</em>: it is only downloaded when the
 * operator explicitly trusts it, and its hash is then recorded and checked ever after.
 * {@code preprocessing} and {@code text}, when given, override the model folder's own files.
 */
public record ModelManifest(String name, String description, String source, String license, int embeddingDimension,
                            List<ModelFile> files, JsonNode preprocessing, Text text) {

    public ModelManifest {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a model manifest needs a name");
        if (files == null || files.isEmpty()) throw new IllegalArgumentException("model manifest " + name + " lists no files");
        files = List.copyOf(files);
    }

    /** One file of the model folder and where it comes from. */
    public record ModelFile(String path, String url, String sha256, Long size) {
        public ModelFile {
            if (path == null || path.isBlank() || path.contains("..") || path.startsWith("/")) {
                throw new IllegalArgumentException("model file path must be relative and stay inside the model folder: " + path);
            }
            if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("bad sha256 for " + path + ": " + sha256);
        }

        public boolean pinned() {
            return sha256 != null;
        }
    }

    /**
     * The text tower's input: context length, padding id, and the clean-up applied
     * before tokenizing ({@code none}, {@code lower}, or open_clip's {@code canonicalize}).
     */
    public record Text(Integer contextLength, Long padId, String clean) {
    }

    public boolean fullyPinned() {
        return files.stream().allMatch(ModelFile::pinned);
    }
}
