package dev.loupe;

import dev.loupe.config.Settings;
import dev.loupe.inference.ModelCatalog;
import dev.loupe.inference.ModelDownloader;
import dev.loupe.inference.ModelKind;
import dev.loupe.inference.ModelLock;
import dev.loupe.inference.ModelManifest;
import dev.loupe.inference.ModelUnavailableException;
import dev.loupe.inference.clip.DualEncoder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code loupe models list}, {@code loupe models pull NAME [--trust-unpinned]} and
 * {@code loupe models quantize SRC DST}: what the catalog knows, what is installed,
 * fetching a model ahead of first use, and making an int8 variant of an installed one.
 */
final class ModelsCommand {
    static final String TRUST_UNPINNED = "--trust-unpinned";

    private ModelsCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("usage: loupe models list | loupe models pull NAME [--trust-unpinned] | loupe models quantize SRC DST");
            return 2;
        }
        String verb = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (verb) {
                case "list" -> list(Settings.from(rest, System.getenv()), out);
                case "pull" -> {
                    if (rest.length == 0 || rest[0].startsWith("--")) {
                        err.println("usage: loupe models pull NAME [--trust-unpinned]");
                        yield 2;
                    }
                    String[] flags = Arrays.copyOfRange(rest, 1, rest.length);
                    boolean trust = Arrays.asList(flags).contains(TRUST_UNPINNED);
                    yield pull(rest[0], Settings.from(flags, System.getenv(), Set.of(TRUST_UNPINNED)), trust, out);
                }
                case "quantize" -> {
                    if (rest.length < 2 || rest[0].startsWith("--") || rest[1].startsWith("--")) {
                        err.println("usage: loupe models quantize SRC DST");
                        yield 2;
                    }
                    yield quantize(rest[0], rest[1], Settings.from(Arrays.copyOfRange(rest, 2, rest.length), System.getenv()), out);
                }
                default -> {
                    err.println("unknown 'models' command '" + verb + "' (list, pull, quantize)");
                    yield 2;
                }
            };
        } catch (IllegalArgumentException | ModelUnavailableException e) {
            err.println("loupe: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("loupe: " + e);
            return 1;
        }
    }

    /**
     * One line per known model, with its licence: insightface's face weights are for
     * non-commercial research only, and a user must see that before choosing them.
     */
    private static int list(Settings settings, PrintStream out) {
        ModelCatalog catalog = new ModelCatalog(settings.modelsDir());
        out.printf("%-28s %-10s %-18s %-16s %-60s %s%n", "MODEL", "INSTALLED", "PINNED", "KIND", "LICENSE", "SOURCE");
        for (Map.Entry<String, ModelManifest> e : new TreeMap<>(catalog.all()).entrySet()) {
            Path dir = settings.modelsDir().resolve(e.getKey());
            ModelManifest m = e.getValue();
            boolean installed = (m.kind() == ModelKind.DUAL_ENCODER ? DualEncoder.missingFiles(dir) : m.missingFiles(dir)).isEmpty();
            String pinned = pinning(m, dir);
            out.printf("%-28s %-10s %-18s %-16s %-60s %s%n", e.getKey() + (e.getKey().equals(settings.defaultImageModel()) ? " *" : ""),
                    installed ? "yes" : "no", pinned, m.kind().wireName(), m.license() == null ? "unknown" : m.license(), m.source());
        }
        out.println("(* = the image model; models directory: " + settings.modelsDir() + ")");
        return 0;
    }

    /** How the model's files are checked: by the manifest's hashes, the hub's at a commit, or hashes recorded locally. */
    private static String pinning(ModelManifest m, Path dir) {
        if (m.fullyPinned()) return "manifest";
        ModelLock lock = ModelLock.read(dir);
        if (m.hub() != null && m.files().stream().anyMatch(ModelManifest.ModelFile::fromHub)) {
            if (m.hub().namesCommit()) return "hub@" + m.hub().revision().substring(0, 12);
            return lock.commit() == null ? "hub, " + m.hub().revision() : "hub@" + lock.commit().substring(0, 12);
        }
        return lock.sha256().isEmpty() ? "no" : "locally";
    }

    /**
     * Writes {@code DST}, the dynamic int8 quantisation of installed model {@code SRC}
     * (scripts/quantize_dynamic.py, with Debian's python3-onnx), and a manifest for it
     * that keeps the source's preprocessing and text settings and pins the new files.
     */
    private static int quantize(String src, String dst, Settings settings, PrintStream out) throws Exception {
        Path from = settings.modelsDir().resolve(src), to = settings.modelsDir().resolve(dst);
        if (!DualEncoder.missingFiles(from).isEmpty()) throw new ModelUnavailableException("model '" + src + "' is not installed in " + from);
        Path script = Path.of("scripts/quantize_dynamic.py");
        if (!java.nio.file.Files.isRegularFile(script)) throw new ModelUnavailableException("run from the Loupe checkout: " + script + " is missing");
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), from.toString(), to.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new ModelUnavailableException("quantisation failed (needs Debian's python3-onnx):\n" + log);
        out.print(log);
        ModelManifest source = new ModelCatalog(settings.modelsDir()).find(src).orElse(null);
        java.util.List<ModelManifest.ModelFile> files = new java.util.ArrayList<>();
        for (String f : DualEncoder.LAYOUT) {
            if (java.nio.file.Files.isRegularFile(to.resolve(f))) {
                files.add(new ModelManifest.ModelFile(f, null, dev.loupe.blob.BlobStore.sha256(java.nio.file.Files.readAllBytes(to.resolve(f))),
                        java.nio.file.Files.size(to.resolve(f))));
            }
        }
        ModelManifest manifest = new ModelManifest(dst, "dynamic int8 quantisation of " + src + ", made locally",
                source == null ? null : source.source(), source == null ? null : source.license(),
                source == null ? 0 : source.embeddingDimension(), null, files,
                source == null ? null : source.preprocessing(), source == null ? null : source.text());
        java.nio.file.Files.writeString(settings.modelsDir().resolve(dst + ".manifest.json"), dev.loupe.api.Json.write(manifest));
        out.println(dst + " written to " + to + "; use it with --image-model " + dst);
        return 0;
    }

    private static int pull(String name, Settings settings, boolean trustUnpinned, PrintStream out) {
        ModelCatalog catalog = new ModelCatalog(settings.modelsDir());
        ModelManifest manifest = catalog.find(name)
                .orElseThrow(() -> new ModelUnavailableException("no manifest for model '" + name + "'; known: " + catalog.all().keySet()));
        Path dir = new ModelDownloader(settings.modelEndpoint()).pull(manifest, settings.modelsDir(), trustUnpinned, out::println);
        out.println(name + " installed in " + dir);
        return 0;
    }
}
