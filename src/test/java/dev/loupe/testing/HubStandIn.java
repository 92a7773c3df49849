package dev.loupe.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback stand-in for the Hugging Face Hub, speaking the part of its protocol a
 * download uses: {@code /api/models/{repo}/revision/{rev}} names a commit;
 * {@code /{repo}/resolve/{rev}/{path}} answers {@code X-Repo-Commit} and, for LFS files, a
 * 302 to a CDN path with {@code X-Linked-Etag} (the SHA-256) and {@code X-Linked-Size},
 * for other files the bytes themselves with git's blob hash as {@code ETag}; a renamed
 * repository answers a relative 307; the CDN and resolve paths honour {@code Range: bytes=N-}.
 * It can lie (serve other bytes than it publishes a hash for) and break a download off midway.
 */
public final class HubStandIn implements AutoCloseable {
    /** Files at or above this size are stored in LFS, as the Hub does with model weights. */
    public static final int LFS_THRESHOLD = 10_000;

    private final HttpServer server;
    private final Map<String, Map<String, Map<String, byte[]>>> commits = new ConcurrentHashMap<>(); // repo -> commit -> path -> bytes
    private final Map<String, String> heads = new ConcurrentHashMap<>(); // repo -> commit of main
    private final Map<String, String> renamed = new ConcurrentHashMap<>(); // old repo -> new repo
    private final Map<String, byte[]> cdn = new ConcurrentHashMap<>(); // sha256 -> bytes
    private final Map<String, byte[]> lies = new ConcurrentHashMap<>(); // sha256 of the published content -> what is served
    private final Map<String, Integer> breakAfter = new ConcurrentHashMap<>(); // sha256 -> bytes sent before the connection drops, once
    private final List<String> requests = new CopyOnWriteArrayList<>();

    public HubStandIn() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                handle(exchange);
            } catch (IOException | RuntimeException e) {
                // A deliberately broken connection ends here.
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Publishes a commit of {@code repo} and makes it the head of {@code main}. */
    public void commit(String repo, String commit, Map<String, byte[]> files) {
        commits.computeIfAbsent(repo, r -> new ConcurrentHashMap<>()).put(commit, Map.copyOf(files));
        for (byte[] b : files.values()) if (b.length >= LFS_THRESHOLD) cdn.put(sha256(b), b);
        heads.put(repo, commit);
    }

    public void rename(String from, String to) {
        renamed.put(from, to);
    }

    /** From now on the content whose hash is published for {@code published} is served as {@code served}. */
    public void lie(byte[] published, byte[] served) {
        lies.put(sha256(published), served);
    }

    /** The next download of {@code content} stops after {@code bytes} bytes, the connection dropped. */
    public void breakOff(byte[] content, int bytes) {
        breakAfter.put(sha256(content), bytes);
    }

    /** Every request, as {@code "METHOD /path"} or {@code "METHOD /path bytes=N-"} with a range. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String range = ex.getRequestHeaders().getFirst("Range");
        requests.add(ex.getRequestMethod() + " " + URLDecoder.decode(path, StandardCharsets.UTF_8) + (range == null ? "" : " " + range));
        String[] parts = path.substring(1).split("/", -1);
        if (parts.length >= 5 && parts[0].equals("api") && parts[1].equals("models") && parts[4].equals("revision")) {
            String repo = parts[2] + "/" + parts[3];
            String commit = commitOf(repo, URLDecoder.decode(parts[5], StandardCharsets.UTF_8));
            if (commit == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = ("{\"id\": \"" + repo + "\", \"sha\": \"" + commit + "\", \"private\": false}").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            return;
        }
        if (parts.length == 2 && parts[0].equals("cdn")) {
            byte[] content = cdn.get(parts[1]);
            if (content == null) ex.sendResponseHeaders(404, -1);
            else serve(ex, content);
            return;
        }
        if (parts.length >= 5 && parts[2].equals("resolve")) {
            String repo = parts[0] + "/" + parts[1];
            String rest = String.join("/", List.of(parts).subList(3, parts.length));
            if (renamed.containsKey(repo)) {
                ex.getResponseHeaders().add("Location", "/" + renamed.get(repo) + "/resolve/" + rest);
                ex.sendResponseHeaders(307, -1);
                return;
            }
            String commit = commitOf(repo, URLDecoder.decode(parts[3], StandardCharsets.UTF_8));
            String file = URLDecoder.decode(String.join("/", List.of(parts).subList(4, parts.length)), StandardCharsets.UTF_8);
            byte[] content = commit == null ? null : commits.get(repo).get(commit).get(file);
            if (content == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            ex.getResponseHeaders().add("X-Repo-Commit", commit);
            if (content.length >= LFS_THRESHOLD) {
                String sha = sha256(content);
                ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha + "\"");
                ex.getResponseHeaders().add("X-Linked-Size", String.valueOf(content.length));
                ex.getResponseHeaders().add("ETag", "W/\"" + gitBlob(("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha).getBytes()) + "\"");
                ex.getResponseHeaders().add("Location", endpoint() + "/cdn/" + sha);
                ex.sendResponseHeaders(302, -1);
                return;
            }
            ex.getResponseHeaders().add("ETag", "\"" + gitBlob(content) + "\"");
            serve(ex, content);
            return;
        }
        ex.sendResponseHeaders(404, -1);
    }

    private String commitOf(String repo, String revision) {
        Map<String, Map<String, byte[]>> of = commits.get(repo);
        if (of == null) return null;
        if (of.containsKey(revision)) return revision;
        return revision.equals("main") ? heads.get(repo) : null;
    }

    private void serve(HttpExchange ex, byte[] published) throws IOException {
        String sha = sha256(published);
        byte[] body = lies.getOrDefault(sha, published);
        String range = ex.getRequestHeaders().getFirst("Range");
        int from = range != null && range.startsWith("bytes=") && range.endsWith("-") ? Integer.parseInt(range.substring(6, range.length() - 1)) : 0;
        ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
        if (from > 0 && from >= body.length) {
            ex.sendResponseHeaders(416, -1);
            return;
        }
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(200, -1);
            return;
        }
        if (from > 0) ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
        int length = body.length - from;
        ex.sendResponseHeaders(from > 0 ? 206 : 200, length);
        OutputStream out = ex.getResponseBody();
        Integer cut = breakAfter.remove(sha);
        if (cut != null && cut < length) {
            out.write(body, from, cut);
            out.flush();
            throw new IOException("connection dropped on purpose after " + cut + " bytes");
        }
        out.write(body, from, length);
    }

    public static String gitBlob(byte[] content) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-1");
            d.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(d.digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    public static Set<String> lfsPaths(Map<String, byte[]> files) {
        Set<String> out = new java.util.TreeSet<>();
        files.forEach((p, b) -> {
            if (b.length >= LFS_THRESHOLD) out.add(p);
        });
        return out;
    }

    /**
     * SHA-256 computed here, not by Loupe's {@code BlobStore}, so expected hashes do not
     * come from the code under test (ModelDownloaderTest pins the same computation with a known answer).
     */
    private static String sha256(byte[] content) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
