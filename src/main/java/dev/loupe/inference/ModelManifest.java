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
 *
 * <p>{@code kind} says what the model is for ({@link ModelKind}; a dual encoder when absent).
 * Face models name their graphs among the files:
 * <pre>
 * "kind": "face_pack",
 * "face": {"detector": {"file": "detection/model.onnx", "input_size": 640},
 *          "recognizer": {"file": "recognition/model.onnx", "input_mean": 127.5, "input_std": 127.5}}
 * </pre>
 */
public record ModelManifest(String name, String description, String source, String license, int embeddingDimension,
                            Hub hub, List<ModelFile> files, JsonNode preprocessing, Text text, ModelKind kind, Face face) {

    public ModelManifest {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a model manifest needs a name");
        if (files == null || files.isEmpty()) throw new IllegalArgumentException("model manifest " + name + " lists no files");
        files = List.copyOf(files);
        if (kind == null) kind = ModelKind.DUAL_ENCODER;
        if (kind.detectsFaces() && (face == null || face.detector() == null)) throw new IllegalArgumentException("model manifest " + name + " (" + kind.wireName() + ") needs face.detector");
        if (kind.recognisesFaces() && (face == null || face.recognizer() == null)) throw new IllegalArgumentException("model manifest " + name + " (" + kind.wireName() + ") needs face.recognizer");
        if (face != null) {
            List<String> paths = files.stream().map(ModelFile::path).toList();
            for (String f : face.files()) {
                if (!paths.contains(f)) throw new IllegalArgumentException("model manifest " + name + ": face graph " + f + " is not among its files");
            }
        }
    }

    /** A dual encoder's manifest. */
    public ModelManifest(String name, String description, String source, String license, int embeddingDimension,
                         Hub hub, List<ModelFile> files, JsonNode preprocessing, Text text) {
        this(name, description, source, license, embeddingDimension, hub, files, preprocessing, text, ModelKind.DUAL_ENCODER, null);
    }

    /** Which of the model's files are its face graphs, and how to feed them. */
    public record Face(Detector detector, Recognizer recognizer) {
        /** The detector graph; {@code inputSize} is used when the graph's own size is dynamic (default 640). */
        public record Detector(String file, Integer inputSize) {
            public Detector {
                if (file == null || file.isBlank()) throw new IllegalArgumentException("face.detector.file is required");
                if (inputSize != null && (inputSize < 32 || inputSize > 4096 || inputSize % 32 != 0)) {
                    throw new IllegalArgumentException("face.detector.input_size must be a multiple of 32 in 32..4096, got " + inputSize);
                }
            }

            public int inputSizeOrDefault() {
                return inputSize == null ? 640 : inputSize;
            }
        }

        /** The recogniser graph and its input normalisation (x − mean) / std on 0..255 values; insightface's 127.5 / 127.5 by default. */
        public record Recognizer(String file, Float inputMean, Float inputStd) {
            public Recognizer {
                if (file == null || file.isBlank()) throw new IllegalArgumentException("face.recognizer.file is required");
                if (inputMean == null) inputMean = 127.5f;
                if (inputStd == null) inputStd = 127.5f;
                if (!(inputStd > 0)) throw new IllegalArgumentException("face.recognizer.input_std must be positive, got " + inputStd);
            }
        }

        List<String> files() {
            List<String> out = new java.util.ArrayList<>();
            if (detector != null) out.add(detector.file());
            if (recognizer != null) out.add(recognizer.file());
            return out;
        }
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

    /** The listed files that the model folder {@code dir} lacks. */
    public List<String> missingFiles(java.nio.file.Path dir) {
        return files.stream().map(ModelFile::path).filter(f -> !java.nio.file.Files.isRegularFile(dir.resolve(f))).toList();
    }

    /** Whether every file is checked against a hash the manifest itself carries. */
    public boolean fullyPinned() {
        return files.stream().allMatch(ModelFile::pinned);
    }
}
