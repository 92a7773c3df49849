package dev.loupe.inference;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Fetches a model's files into {@code <modelsDir>/<name>/}: each file is downloaded to
 * {@code <file>.part}, resumed with an HTTP range request when a partial file exists,
 * hashed while it streams, checked against its SHA-256 and only then renamed into place.
 *
 * <p>A file the manifest does not pin is fetched only when the caller trusts it; its hash
 * is then recorded in {@code loupe-lock.json} beside the files and checked on every later
 * pull, so it cannot silently change afterwards.
 */
public final class ModelDownloader {
    public static final String LOCK_FILE = "loupe-lock.json";
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    private final String endpoint;
    private final HttpClient client = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(20))
            .build();

    public ModelDownloader(String endpoint) {
        this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    }

    /** Makes every file of the manifest present and verified; returns the model folder. */
    public Path pull(ModelManifest m, Path modelsDir, boolean trustUnpinned, Consumer<String> log) {
        Path dir = modelsDir.resolve(m.name());
        Map<String, String> lock = readLock(dir);
        for (ModelManifest.ModelFile f : m.files()) {
            String expected = f.pinned() ? f.sha256() : lock.get(f.path());
            if (expected == null && !trustUnpinned) {
                throw new ModelUnavailableException("model '" + m.name() + "': " + f.path() + " has no pinned sha256 in its manifest."
                        + " Pull with --trust-unpinned to accept what " + url(f) + " serves and pin it locally,"
                        + " or add its checksum to the manifest.");
            }
            Path target = dir.resolve(f.path());
            if (Files.isRegularFile(target)) {
                String actual = sha256(target);
                if (expected == null || actual.equals(expected)) {
                    lock.put(f.path(), actual);
                    log.accept("ok        " + f.path());
                    continue;
                }
                log.accept("corrupt   " + f.path() + " (sha256 " + actual + "), fetching again");
                delete(target);
            }
            String actual = download(url(f), target, log);
            if (expected != null && !actual.equals(expected)) {
                delete(part(target));
                throw new ModelUnavailableException("model '" + m.name() + "': " + f.path() + " from " + url(f)
                        + " has sha256 " + actual + ", expected " + expected + "; the download was discarded");
            }
            move(part(target), target);
            lock.put(f.path(), actual);
            log.accept("fetched   " + f.path() + (expected == null ? " (unpinned; pinned locally as " + actual + ")" : ""));
        }
        writeLock(dir, lock);
        return dir;
    }

    /** The file's URL with {@code {hf}} resolved to this downloader's endpoint. */
    public String url(ModelManifest.ModelFile f) {
        return f.url().replace("{hf}", endpoint);
    }

    /** Downloads to {@code <target>.part}, resuming it if present; returns the SHA-256 of the whole file. */
    private String download(String url, Path target, Consumer<String> log) {
        Path part = part(target);
        try {
            Files.createDirectories(target.getParent());
            long have = Files.isRegularFile(part) ? Files.size(part) : 0;
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30)).GET();
            if (have > 0) request.header("Range", "bytes=" + have + "-");
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            int status = response.statusCode();
            MessageDigest digest = sha256();
            boolean append = status == 206 && have > 0;
            if (status == 416 && have > 0) {
                response.body().close();
                return sha256(part); // the partial file is already whole
            }
            if (status != 200 && status != 206) {
                response.body().close();
                throw new ModelUnavailableException("downloading " + url + " answered HTTP " + status);
            }
            if (append) {
                try (InputStream old = Files.newInputStream(part)) {
                    old.transferTo(new DigestOutput(digest));
                }
                log.accept("resuming  " + target.getFileName() + " at byte " + have);
            }
            try (InputStream in = new DigestInputStream(response.body(), digest);
                 FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
                in.transferTo(out);
                out.flush();
                ch.force(true);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new ModelUnavailableException("cannot download " + url + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + " (offline? put the model's files in " + target.getParent() + " instead)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelUnavailableException("interrupted while downloading " + url, e);
        }
    }

    /** The hashes recorded by earlier pulls, by file path. */
    public static Map<String, String> readLock(Path dir) {
        Map<String, String> lock = new TreeMap<>();
        Path file = dir.resolve(LOCK_FILE);
        if (Files.isRegularFile(file)) {
            try {
                Json.read(Files.readString(file)).path("sha256").properties().forEach(e -> lock.put(e.getKey(), e.getValue().asText()));
            } catch (IOException e) {
                throw new ModelUnavailableException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return lock;
    }

    private static void writeLock(Path dir, Map<String, String> lock) {
        ObjectNode root = Json.object();
        ObjectNode sums = root.putObject("sha256");
        lock.forEach(sums::put);
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(LOCK_FILE + ".tmp");
            Files.writeString(tmp, Json.write(root));
            move(tmp, dir.resolve(LOCK_FILE));
        } catch (IOException e) {
            throw new ModelUnavailableException("cannot write " + dir.resolve(LOCK_FILE) + ": " + e.getMessage(), e);
        }
    }

    static String sha256(Path file) {
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new ModelUnavailableException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path part(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ModelUnavailableException("cannot install " + to + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new ModelUnavailableException("cannot remove " + p + ": " + e.getMessage(), e);
        }
    }

    /** Feeds bytes to a digest, for re-hashing the part already on disk when resuming. */
    private static final class DigestOutput extends OutputStream {
        private final MessageDigest digest;

        DigestOutput(MessageDigest digest) {
            this.digest = digest;
        }

        @Override
        public void write(int b) {
            digest.update((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            digest.update(b, off, len);
        }
    }
}
