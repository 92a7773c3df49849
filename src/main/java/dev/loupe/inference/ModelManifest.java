package dev.loupe.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What Loupe needs to know to fetch and run a dual encoder, so that another model of
 * the OpenCLIP/Immich export family is a manifest rather than code.
 *
 * <pre>
 * {"name": "siglip_base", "source": "...", "license": "...", "embedding_dimension": 768,
 *  "hub": {"repo": "immich-app/ViT-B-16-SigLIP__webli", "revision": "main"},
 *  "files": [{"path": "visual/model.onnx"}, {"path": "extra.bin", "url": "https://…/extra.bin", "sha256": "…", "size": 123}],
 *  "preprocessing": {"size": [224, 224], "resize_mode": "squash", "interpolation": "bicubic", "mean": […], "std": […]},
 *  "text": {"context_length": 64, "pad_id": 1, "clean": "canonicalize"}}
 * </pre>
 *
 * A file without a {@code url} comes from the {@code hub} repository, at one commit for the
 * whole model ({@code revision}: a commit, or a branch resolved to one at the first pull and
 * recorded in the lock), verified against the hash the hub publishes for it; a {@code sha256}
 * in the manifest is checked as well. A file with a {@code url} ({@code {hf}} stands for the
 * Hugging Face endpoint, configurable for mirrors) and no {@code sha256} is <em>unpinned</em>:
 * it is only downloaded when the operator explicitly trusts it, and its hash is then recorded
 * and checked ever after.
 * {@code preprocessing} and {@code text}, when given, override the model folder's own files.
 */
public record ModelManifest(String name, String description, String source, String license, int embeddingDimension,
                            Hub hub, List<ModelFile> files, JsonNode preprocessing, Text text) {

    public ModelManifest {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a model manifest needs a name");
        if (files == null || files.isEmpty()) throw new IllegalArgumentException("model manifest " + name + " lists no files");
        files = List.copyOf(files);
    }

    /** A Hugging Face model repository and the revision (commit, branch or tag) the model's files come from. */
    public record Hub(String repo, String revision) {
        private static final java.util.regex.Pattern REPO = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
        private static final java.util.regex.Pattern REVISION = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,127}");

        public Hub {
            if (repo == null || !REPO.matcher(repo).matches() || repo.contains("..")) {
                throw new IllegalArgumentException("hub repo must be owner/name, got: " + repo);
            }
            if (revision == null || revision.isBlank()) revision = "main";
            if (!REVISION.matcher(revision).matches() || revision.contains("..")) throw new IllegalArgumentException("bad hub revision: " + revision);
        }

        /** Whether the revision already names one commit (40 hex digits) rather than a branch or tag that moves. */
        public boolean namesCommit() {
            return revision.matches("[0-9a-f]{40}");
        }
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

        /** Whether the file comes from the manifest's hub repository rather than a URL of its own. */
        public boolean fromHub() {
            return url == null;
        }
    }

    /**
     * The text tower's input: context length, padding id, and the clean-up applied
     * before tokenizing ({@code none}, {@code lower}, or open_clip's {@code canonicalize}).
     */
    public record Text(Integer contextLength, Long padId, String clean) {
    }

    /** Whether every file is checked against a hash the manifest itself carries. */
    public boolean fullyPinned() {
        return files.stream().allMatch(ModelFile::pinned);
    }
}
