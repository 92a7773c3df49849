package dev.loupe.testing.engines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The class path of an engine that runs from Maven Central's jars (Kafka, Solr, S3Proxy), as
 * declared by {@code engines/<engine>/pom.xml}. Engines run in JVMs of their own because their
 * libraries clash with Loupe's (Solr 9 ships its own Lucene); Maven resolves them once, and the
 * list is kept in {@code target/engines/<engine>.classpath} until the pom changes.
 */
public final class EngineClasspath {
    private EngineClasspath() {
    }

    public static synchronized String of(String engine) {
        Path pom = Path.of("engines", engine, "pom.xml").toAbsolutePath();
        if (!Files.isRegularFile(pom)) throw new IllegalArgumentException("no engine '" + engine + "': " + pom + " is missing");
        Path out = Path.of("target/engines", engine + ".classpath").toAbsolutePath();
        try {
            if (!Files.isRegularFile(out) || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(pom)) < 0) {
                resolve(engine, pom, out);
            }
            return Files.readString(out, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the class path of " + engine + ": " + e.getMessage(), e);
        }
    }

    private static void resolve(String engine, Path pom, Path out) throws IOException {
        Files.createDirectories(out.getParent());
        Path log = out.resolveSibling(engine + "-resolve.log");
        Path partial = out.resolveSibling(engine + ".classpath.partial");
        List<String> cmd = List.of("mvn", "-B", "-q", "-f", pom.toString(), "dependency:build-classpath",
                "-Dmdep.outputFile=" + partial, "-Dmdep.includeScope=runtime");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("resolving " + engine + "'s jars took over 15 minutes; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException(e);
        }
        if (p.exitValue() != 0 || !Files.isRegularFile(partial)) {
            throw new IllegalStateException("Maven could not resolve " + engine + "'s jars (" + String.join(" ", cmd) + "):\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        Files.move(partial, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
