package dev.loupe.inference;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
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
import java.util.function.Consumer;

/**
 * Fetches a model's files into {@code <modelsDir>/<name>/}: each file is downloaded to
 * {@code <file>.part}, resumed with an HTTP range request when a partial file exists,
 * hashed while it streams, verified and only then renamed into place.
 *
 * <p>Files from a hub repository come from one commit for the whole model: the manifest's,
 * or the one its branch pointed to at the first pull, recorded in {@code loupe-lock.json}.
 * Each is verified against the hash the hub publishes for it, as {@code huggingface_hub}
 * does: a {@code HEAD} on its resolve URL answers {@code X-Repo-Commit} and, for LFS files,
 * {@code X-Linked-Etag} (the SHA-256 of the content) with a redirect to the CDN holding it;
 * for other files the {@code ETag} is git's blob hash (SHA-1 of {@code "blob <size>\0"} and
 * the content). A file the manifest pins is checked against that SHA-256 as well.
 *
 * <p>A file with a URL of its own that the manifest does not pin is fetched only when the
 * caller trusts it. Either way the SHA-256 of every installed file is recorded in the lock
 * and checked on every later pull, so it cannot silently change afterwards.
 */
public final class ModelDownloader {
    public static final String LOCK_FILE = ModelLock.FILE;
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    private static final int MAX_REPO_REDIRECTS = 5;
    private static final long PROGRESS_STEP_BYTES = 50L << 20;

    private final String endpoint;
    /** For HEAD on resolve URLs: their redirect to the CDN carries the headers, so it is read, not followed. */
    private final HttpClient direct = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(20))
            .build();
    private final HttpClient following = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(20))
            .build();

    public ModelDownloader(String endpoint) {
        this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    }

    public String endpoint() {
        return endpoint;
    }

    /** Makes every file of the manifest present and verified; returns the model folder. */
    public Path pull(ModelManifest m, Path modelsDir, boolean trustUnpinned, Consumer<String> log) {
        Path dir = modelsDir.resolve(m.name());
        ModelLock lock = ModelLock.read(dir);
        String commit = null;
        if (m.files().stream().anyMatch(ModelManifest.ModelFile::fromHub)) {
            if (m.hub() == null) {
                throw new ModelUnavailableException("model '" + m.name() + "' was made locally and cannot be fetched: its files "
                        + m.files().stream().filter(ModelManifest.ModelFile::fromHub).map(ModelManifest.ModelFile::path).toList()
                        + " have no URL and the manifest names no hub repository; make it again or put its files in " + dir);
            }
            commit = commitFor(m.hub(), lock, log);
            if (!commit.equals(lock.commit()) || !m.hub().repo().equals(lock.repo())) {
                // Recorded before any file is fetched, so a resumed pull continues from the same commit.
                ModelLock previous = lock;
                lock = lock.atCommit(m.hub().repo(), commit);
                for (ModelManifest.ModelFile f : m.files()) {
                    String kept = previous.sha256().get(f.path());
                    if (!f.fromHub() && kept != null) lock.put(f.path(), kept); // files with their own URL are not the commit's
                }
                lock.write(dir);
            }
        }
        for (ModelManifest.ModelFile f : m.files()) {
            if (!f.fromHub() && !f.pinned() && lock.sha256().get(f.path()) == null && !trustUnpinned) {
                throw new ModelUnavailableException("model '" + m.name() + "': " + f.path() + " has no pinned sha256 in its manifest."
                        + " Pull with --trust-unpinned to accept what " + url(f) + " serves and pin it locally,"
                        + " or add its checksum to the manifest.");
            }
            String actual = f.fromHub() ? fetchFromHub(m, f, commit, dir, lock, log) : fetchFromUrl(m, f, dir, lock, log);
            lock.put(f.path(), actual);
        }
        lock.write(dir);
        return dir;
    }

    /** The commit to fetch from: the manifest's own, the one a previous pull recorded, or the branch's head now. */
    private String commitFor(ModelManifest.Hub hub, ModelLock lock, Consumer<String> log) {
        if (hub.namesCommit()) return hub.revision();
        if (hub.repo().equals(lock.repo()) && lock.commit() != null) return lock.commit();
        String api = endpoint + "/api/models/" + hub.repo() + "/revision/" + encode(hub.revision());
        JsonNode info;
        try {
            HttpResponse<String> r = following.send(HttpRequest.newBuilder(URI.create(api)).timeout(Duration.ofMinutes(1)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new ModelUnavailableException("the hub answered HTTP " + r.statusCode() + " for revision '" + hub.revision() + "' of "
                        + hub.repo() + " (" + api + ")");
            }
            info = Json.read(r.body());
        } catch (IOException e) {
            throw unreachable(api, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelUnavailableException("interrupted while asking " + api, e);
        } catch (RuntimeException e) {
            if (e instanceof ModelUnavailableException mu) throw mu;
            throw new ModelUnavailableException("the hub's answer for " + api + " is not JSON: " + e.getMessage(), e);
        }
        String sha = info.path("sha").asText("");
        if (!sha.matches("[0-9a-f]{40}")) throw new ModelUnavailableException("the hub named no commit for " + api + " (sha: '" + sha + "')");
        log.accept("revision  " + hub.revision() + " of " + hub.repo() + " is commit " + sha + "; every file comes from it");
        return sha;
    }

    private String fetchFromHub(ModelManifest m, ModelManifest.ModelFile f, String commit, Path dir, ModelLock lock, Consumer<String> log) {
        Path target = dir.resolve(f.path());
        String known = f.pinned() ? f.sha256() : lock.sha256().get(f.path());
        if (Files.isRegularFile(target)) {
            if (known != null) {
                String actual = sha256(target);
                if (actual.equals(known)) {
                    log.accept("ok        " + f.path());
                    return actual;
                }
                log.accept("corrupt   " + f.path() + " (sha256 " + actual + "), fetching again");
            } else {
                // Placed by hand, or kept from another commit: it stays only if it is what the hub publishes.
                Published published = head(m, f, commit);
                if (published.verify(target) == null) {
                    log.accept("ok        " + f.path() + " (matches the hub's hash)");
                    return sha256(target);
                }
                log.accept("differs   " + f.path() + " from commit " + commit + ", fetching it");
            }
            delete(target);
        }
        Published published = head(m, f, commit);
        log.accept("fetching  " + f.path() + (published.size() == null ? "" : " (" + megabytes(published.size()) + ")")
                + " from commit " + commit);
        for (int attempt = 0; ; attempt++) {
            Download d = download(published.downloadUrl(), target, log);
            String problem = published.verify(part(target));
            if (problem == null && known != null && !d.sha256().equals(known)) problem = "sha256 " + d.sha256() + ", expected " + known;
            if (problem == null) {
                move(part(target), target);
                log.accept("fetched   " + f.path() + " (" + published.describe() + ")");
                return d.sha256();
            }
            delete(part(target));
            if (!d.resumed() || attempt > 0) {
                throw new ModelUnavailableException("model '" + m.name() + "': " + f.path() + " from " + published.downloadUrl() + " has "
                        + problem + "; the download was discarded and nothing was installed");
            }
            // The kept part may have been from something else: one fresh download decides.
            log.accept("mismatch  " + f.path() + " after resuming, downloading it whole");
        }
    }

    private String fetchFromUrl(ModelManifest m, ModelManifest.ModelFile f, Path dir, ModelLock lock, Consumer<String> log) {
        String expected = f.pinned() ? f.sha256() : lock.sha256().get(f.path());
        Path target = dir.resolve(f.path());
        if (Files.isRegularFile(target)) {
            String actual = sha256(target);
            if (expected == null || actual.equals(expected)) {
                log.accept("ok        " + f.path());
                return actual;
            }
            log.accept("corrupt   " + f.path() + " (sha256 " + actual + "), fetching again");
            delete(target);
        }
        String actual = download(url(f), target, log).sha256();
        if (expected != null && !actual.equals(expected)) {
            delete(part(target));
            throw new ModelUnavailableException("model '" + m.name() + "': " + f.path() + " from " + url(f)
                    + " has sha256 " + actual + ", expected " + expected + "; the download was discarded");
        }
        move(part(target), target);
        log.accept("fetched   " + f.path() + (expected == null ? " (unpinned; pinned locally as " + actual + ")" : ""));
        return actual;
    }

    /** Where a file comes from, for messages: its own URL, or its hub resolve URL at the locked commit (or the manifest's revision). */
    public String source(ModelManifest m, ModelManifest.ModelFile f, Path modelDir) {
        if (!f.fromHub()) return url(f);
        if (m.hub() == null) return "(made locally)";
        ModelLock lock = ModelLock.read(modelDir);
        String revision = m.hub().repo().equals(lock.repo()) && lock.commit() != null && !m.hub().namesCommit() ? lock.commit() : m.hub().revision();
        return resolveUrl(m.hub().repo(), revision, f.path());
    }

    /** The file's URL with {@code {hf}} resolved to this downloader's endpoint. */
    public String url(ModelManifest.ModelFile f) {
        return f.url().replace("{hf}", endpoint);
    }

    private String resolveUrl(String repo, String revision, String path) {
        StringBuilder sb = new StringBuilder(endpoint).append('/').append(repo).append("/resolve/").append(encode(revision));
        for (String segment : path.split("/")) sb.append('/').append(encode(segment));
        return sb.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * What the hub publishes for one file at one commit, read from a {@code HEAD} on its
     * resolve URL; relative redirects (a renamed repository) are followed, one to another
     * host (the CDN) is where the bytes are.
     */
    private Published head(ModelManifest m, ModelManifest.ModelFile f, String commit) {
        String url = resolveUrl(m.hub().repo(), commit, f.path());
        try {
            for (int hop = 0; hop <= MAX_REPO_REDIRECTS; hop++) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1))
                        .header("Accept-Encoding", "identity").method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
                HttpResponse<Void> r = direct.send(request, HttpResponse.BodyHandlers.discarding());
                int status = r.statusCode();
                HttpHeaders h = r.headers();
                String location = h.firstValue("Location").orElse(null);
                if (status >= 300 && status < 400 && location != null && location.startsWith("/") && !location.startsWith("//")) {
                    url = URI.create(url).resolve(location).toString();
                    continue;
                }
                if (status == 404) {
                    throw new ModelUnavailableException("model '" + m.name() + "': " + f.path() + " is not in " + m.hub().repo()
                            + " at commit " + commit + " (" + url + " answered 404)");
                }
                if (status == 401 || status == 403) {
                    throw new ModelUnavailableException("model '" + m.name() + "': " + url + " answered HTTP " + status
                            + "; Loupe fetches public repositories only (download it yourself into the models directory)");
                }
                boolean redirect = status >= 300 && status < 400 && location != null;
                if (status != 200 && !redirect) {
                    throw new ModelUnavailableException("model '" + m.name() + "': " + url + " answered HTTP " + status);
                }
                String servedCommit = h.firstValue("X-Repo-Commit").orElse(null);
                if (servedCommit == null) {
                    throw new ModelUnavailableException("model '" + m.name() + "': " + url + " did not say which commit it serves"
                            + " (no X-Repo-Commit header); is " + endpoint + " a Hugging Face endpoint or mirror?");
                }
                if (!servedCommit.equals(commit)) {
                    throw new ModelUnavailableException("model '" + m.name() + "': " + url + " serves commit " + servedCommit
                            + ", not the pinned " + commit);
                }
                String etag = normalizeEtag(h.firstValue("X-Linked-Etag").orElse(h.firstValue("ETag").orElse(null)));
                if (etag == null || !(etag.matches("[0-9a-f]{64}") || etag.matches("[0-9a-f]{40}"))) {
                    throw new ModelUnavailableException("model '" + m.name() + "': " + url + " publishes no hash Loupe can verify"
                            + " (ETag: " + etag + ")");
                }
                Long size = h.firstValueAsLong("X-Linked-Size").isPresent() ? Long.valueOf(h.firstValueAsLong("X-Linked-Size").getAsLong()) : null;
                String download = redirect ? URI.create(url).resolve(location).toString() : url;
                return new Published(download, etag, size);
            }
            throw new ModelUnavailableException("model '" + m.name() + "': more than " + MAX_REPO_REDIRECTS + " redirects from "
                    + resolveUrl(m.hub().repo(), commit, f.path()));
        } catch (IOException e) {
            throw unreachable(url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelUnavailableException("interrupted while asking " + url, e);
        }
    }

    /** huggingface_hub's normalisation: a weak marker and the quotes go. */
    private static String normalizeEtag(String etag) {
        if (etag == null) return null;
        String e = etag.trim();
        if (e.startsWith("W/")) e = e.substring(2);
        return e.replace("\"", "").toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * A file's published hash and where its bytes are.
     *
     * @param etag the content's SHA-256 (an LFS file) or git blob SHA-1 (any other)
     * @param size the content's size when the hub says it, else null
     */
    private record Published(String downloadUrl, String etag, Long size) {
        boolean lfs() {
            return etag.length() == 64;
        }

        String describe() {
            return lfs() ? "sha256 " + etag + " as the hub publishes it" : "git blob " + etag + " as the hub publishes it";
        }

        /** Null when the file is what the hub publishes, else what is wrong with it. */
        String verify(Path file) {
            long length;
            try {
                length = Files.size(file);
            } catch (IOException e) {
                return "no readable content (" + e.getMessage() + ")";
            }
            if (size != null && length != size) return length + " bytes, the hub publishes " + size;
            String actual = lfs() ? sha256(file) : gitBlobSha1(file, length);
            return actual.equals(etag) ? null : (lfs() ? "sha256 " : "git blob hash ") + actual + ", the hub publishes " + etag;
        }
    }

    /** What a download produced: the whole file's SHA-256, and whether it continued an earlier part. */
    private record Download(String sha256, boolean resumed) {
    }

    /** Downloads to {@code <target>.part}, resuming it if present. */
    private Download download(String url, Path target, Consumer<String> log) {
        Path part = part(target);
        try {
            Files.createDirectories(target.getParent());
            long have = Files.isRegularFile(part) ? Files.size(part) : 0;
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30)).GET();
            if (have > 0) request.header("Range", "bytes=" + have + "-");
            HttpResponse<InputStream> response = following.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            int status = response.statusCode();
            MessageDigest digest = sha256();
            boolean append = status == 206 && have > 0;
            if (status == 416 && have > 0) {
                response.body().close();
                return new Download(sha256(part), true); // the partial file is already whole
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
                copyReporting(in, out, append ? have : 0, response.headers().firstValueAsLong("Content-Length").orElse(-1) + (append ? have : 0),
                        target.getFileName().toString(), log);
                out.flush();
                ch.force(true);
            }
            return new Download(HexFormat.of().formatHex(digest.digest()), append);
        } catch (IOException e) {
            throw unreachable(url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelUnavailableException("interrupted while downloading " + url, e);
        }
    }

    /** Copies a download, saying how far it got every {@value #PROGRESS_STEP_BYTES} bytes: model files take minutes. */
    private static void copyReporting(InputStream in, OutputStream out, long done, long total, String name, Consumer<String> log) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long nextReport = done + PROGRESS_STEP_BYTES;
        for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
            done += n;
            if (done >= nextReport) {
                log.accept("          " + name + ": " + megabytes(done) + (total > 0 ? " of " + megabytes(total) : ""));
                nextReport = done + PROGRESS_STEP_BYTES;
            }
        }
    }

    private static String megabytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static ModelUnavailableException unreachable(String url, IOException e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) t = t.getCause();
        String why = t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
        return new Unreachable("cannot reach " + url + " (" + why + "; no network, or a proxy or firewall in the way?)", e);
    }

    /** The hub or its CDN could not be reached (or the connection broke); what was fetched so far is kept to resume. */
    public static final class Unreachable extends ModelUnavailableException {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The hashes recorded by earlier pulls, by file path. */
    public static Map<String, String> readLock(Path dir) {
        return ModelLock.read(dir).sha256();
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

    /** git's object id of a file's content: SHA-1 of {@code "blob <length>\0"} followed by the bytes. */
    static String gitBlobSha1(Path file, long length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-1");
            digest.update(("blob " + length + "\0").getBytes(StandardCharsets.US_ASCII));
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new ModelUnavailableException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
