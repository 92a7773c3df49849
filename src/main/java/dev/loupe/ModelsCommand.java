package dev.loupe;

import dev.loupe.config.Settings;
import dev.loupe.inference.DualEncoder;
import dev.loupe.inference.ModelCatalog;
import dev.loupe.inference.ModelDownloader;
import dev.loupe.inference.ModelManifest;
import dev.loupe.inference.ModelUnavailableException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * {@code loupe models list} and {@code loupe models pull NAME [--trust-unpinned]}:
 * what the catalog knows, what is installed, and fetching a model ahead of first use.
 */
final class ModelsCommand {
    static final String TRUST_UNPINNED = "--trust-unpinned";

    private ModelsCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("usage: loupe models list | loupe models pull NAME [--trust-unpinned]");
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
                default -> {
                    err.println("unknown 'models' command '" + verb + "' (list, pull)");
                    yield 2;
                }
            };
        } catch (IllegalArgumentException | ModelUnavailableException e) {
            err.println("loupe: " + e.getMessage());
            return 1;
        }
    }

    private static int list(Settings settings, PrintStream out) {
        ModelCatalog catalog = new ModelCatalog(settings.modelsDir());
        out.printf("%-28s %-10s %-9s %s%n", "MODEL", "INSTALLED", "PINNED", "SOURCE");
        for (Map.Entry<String, ModelManifest> e : catalog.all().entrySet()) {
            Path dir = settings.modelsDir().resolve(e.getKey());
            boolean installed = DualEncoder.missingFiles(dir).isEmpty();
            String pinned = e.getValue().fullyPinned() ? "manifest" : ModelDownloader.readLock(dir).isEmpty() ? "no" : "locally";
            out.printf("%-28s %-10s %-9s %s%n", e.getKey() + (e.getKey().equals(settings.defaultImageModel()) ? " *" : ""),
                    installed ? "yes" : "no", pinned, e.getValue().source());
        }
        out.println("(* = the image model; models directory: " + settings.modelsDir() + ")");
        return 0;
    }

    private static int pull(String name, Settings settings, boolean trustUnpinned, PrintStream out) {
        ModelManifest manifest = new ModelCatalog(settings.modelsDir()).find(name)
                .orElseThrow(() -> new ModelUnavailableException("no manifest for model '" + name + "'; known: "
                        + new ModelCatalog(settings.modelsDir()).all().keySet()));
        Path dir = new ModelDownloader(settings.modelEndpoint()).pull(manifest, settings.modelsDir(), trustUnpinned, out::println);
        out.println(name + " installed in " + dir);
        return 0;
    }
}
