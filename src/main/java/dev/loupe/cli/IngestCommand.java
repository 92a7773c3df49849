package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code loupe ingest PATH... --bucket B}: uploads files through the presigned flow (several at
 * once, on virtual threads), makes one object per file with its metadata, submits the objects as
 * a batch and follows the task to its end with a progress line, then lists every failure with its
 * reason. See {@link IngestOptions#USAGE}.
 *
 * <p>Resuming: every file is hashed first. A file whose content the bucket already holds (a
 * completed upload with the same SHA-256, Mixpeek's {@code skip_duplicates}) is not sent again;
 * one whose bytes an interrupted run sent but never confirmed is confirmed now; and of the objects
 * already there only those not yet processed are submitted.
 */
public final class IngestCommand {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration PUT_TIMEOUT = Duration.ofMinutes(30);
    private static final int MAX_BATCH_OBJECTS = 100_000;
    private static final int MAX_URLS = 100_000;
    private static final int LIST_PAGE = 100;
    private static final int MAX_RESUMABLE = 10_000;
    private static final int MAX_LISTED_OBJECTS = 200_000;

    private IngestCommand() {}

    /** Runs {@code loupe ingest} with the arguments after {@code ingest}; returns the exit status. */
    public static int run(List<String> args, ServerConnection server, PrintStream out, PrintStream err) {
        boolean tty = out == System.out && System.console() != null && System.console().isTerminal();
        return run(args, server, out, err, tty);
    }

    static int run(List<String> args, ServerConnection server, PrintStream out, PrintStream err, boolean tty) {
        if (args.contains("--help") || args.contains("-h")) {
            out.println(IngestOptions.USAGE);
            return 0;
        }
        IngestOptions options;
        try {
            options = IngestOptions.parse(args);
        } catch (CliException e) {
            err.println("loupe ingest: " + e.getMessage());
            err.println("(loupe ingest --help lists the options)");
            return 2;
        }
        try {
            return new Run(options, server, out, new ProgressLine(out, tty)).call();
        } catch (CliException e) {
            err.println("loupe ingest: " + e.getMessage());
            return 1;
        }
    }

    /** What became of one file or URL: its object, whether the bucket already had it, or why it failed. */
    private record Item(String label, String objectId, boolean reused, String failure) {
        static Item failed(String label, String reason) {
            return new Item(label, null, false, reason);
        }
    }

    private static final class Run {
        private final IngestOptions o;
        private final ServerConnection server;
        private final PrintStream out;
        private final ProgressLine progress;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        private String bucketPath;

        Run(IngestOptions o, ServerConnection server, PrintStream out, ProgressLine progress) {
            this.o = o;
            this.server = server;
            this.out = out;
            this.progress = progress;
        }

        int call() {
            long started = System.nanoTime();
            JsonNode bucket = server.get("/v1/buckets/" + encode(o.bucket()));
            String bucketId = bucket.path("bucket_id").asText();
            bucketPath = "/v1/buckets/" + encode(bucketId);
            String field = field(bucket);
            o.collection().ifPresent(c -> checkCollection(c, bucketId));
            MetadataTable metadata = o.metadata().map(MetadataTable::read).orElse(MetadataTable.empty());
            List<LocalFiles.LocalFile> files = LocalFiles.find(o.paths(), o.maxFiles());
            List<String> urls = o.urls().map(IngestCommand::readUrls).orElse(List.of());
            int total = files.size() + urls.size();
            if (total == 0) {
                out.println("nothing to ingest: no image files under " + o.paths());
                return 0;
            }
            out.println("ingesting " + count(files.size(), "file") + (urls.isEmpty() ? "" : " and " + count(urls.size(), "URL"))
                    + " into bucket " + bucket.path("bucket_name").asText(bucketId) + " (property " + field + ")"
                    + (metadata.size() > 0 ? ", metadata for " + count(metadata.size(), "key") : ""));

            List<Item> items = upload(files, urls, field, metadata, total);
            Map<String, List<String>> labelsByObject = new LinkedHashMap<>();
            for (Item i : items) if (i.objectId() != null) labelsByObject.computeIfAbsent(i.objectId(), k -> new ArrayList<>()).add(i.label());
            List<String> toProcess = unprocessed(items);
            int uploaded = (int) items.stream().filter(i -> i.failure() == null && !i.reused()).count();
            int reused = (int) items.stream().filter(i -> i.failure() == null && i.reused()).count();
            List<Item> failures = new ArrayList<>(items.stream().filter(i -> i.failure() != null).toList());

            int processed = 0;
            if (o.uploadOnly()) {
                out.println("--upload-only: " + count(toProcess.size(), "object") + " left unsubmitted");
            } else if (toProcess.isEmpty()) {
                out.println(labelsByObject.isEmpty() ? "no objects to process" : "every object was processed before; nothing to submit");
            } else {
                Outcome outcome = process(toProcess, uploaded, reused, failures.size(), total);
                processed = outcome.done();
                outcome.failures().forEach((objectId, reason) -> {
                    for (String label : labelsByObject.getOrDefault(objectId, List.of(objectId))) failures.add(Item.failed(label, reason));
                });
                if (outcome.total() == 0) {
                    out.println("no collection reads bucket " + o.bucket() + ", so nothing processed its objects;"
                            + " create one on it (its backfill processes them) or re-run this once it exists");
                }
            }
            o.collection().ifPresent(this::reportCollection);
            double seconds = (System.nanoTime() - started) / 1e9;
            out.printf("done in %.1f s: %s; %d uploaded, %d already in the bucket; %d processed, %d failed%n",
                    seconds, count(total, "item"), uploaded, reused, processed, failures.size());
            if (!failures.isEmpty()) {
                out.println("failed:");
                for (Item f : failures) out.println("  " + f.label() + ": " + f.failure());
                return 1;
            }
            return 0;
        }

        /** The property the images go to: --field, or the schema's only image property. */
        private String field(JsonNode bucket) {
            JsonNode properties = bucket.path("bucket_schema").path("properties");
            List<String> images = new ArrayList<>();
            List<String> all = new ArrayList<>();
            properties.fieldNames().forEachRemaining(name -> {
                all.add(name);
                if ("image".equalsIgnoreCase(properties.path(name).path("type").asText())) images.add(name);
            });
            if (o.field().isPresent()) {
                if (!all.isEmpty() && !all.contains(o.field().get())) {
                    throw new CliException("--field " + o.field().get() + ": bucket " + o.bucket() + " has no such property; its properties: " + all);
                }
                return o.field().get();
            }
            if (images.size() == 1) return images.getFirst();
            throw new CliException(images.isEmpty()
                    ? "bucket " + o.bucket() + " declares no image property; name the one to use with --field"
                    : "bucket " + o.bucket() + " has several image properties " + images + "; choose one with --field");
        }

        private void checkCollection(String collection, String bucketId) {
            JsonNode c = server.get("/v1/collections/" + encode(collection));
            JsonNode ids = c.path("source").path("bucket_ids");
            boolean reads = false;
            for (JsonNode id : ids) reads |= id.asText().equals(bucketId);
            if (!reads) throw new CliException("collection " + collection + " does not read bucket " + o.bucket() + " (its source: " + c.path("source") + ")");
        }

        private void reportCollection(String collection) {
            JsonNode docs = server.post("/v1/collections/" + encode(collection) + "/documents/list?limit=1", Json.object());
            out.println("collection " + collection + ": " + count(docs.path("pagination").path("total").asInt(), "document"));
        }

        // ---- uploading

        private List<Item> upload(List<LocalFiles.LocalFile> files, List<String> urls, String field, MetadataTable metadata, int total) {
            Map<String, String> resumable = files.isEmpty() ? Map.of() : receivedButUnconfirmed();
            AtomicInteger done = new AtomicInteger();
            AtomicInteger reused = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            long started = System.nanoTime();
            Runnable report = () -> {
                double rate = done.get() / Math.max(1e-9, (System.nanoTime() - started) / 1e9);
                progress.update(uploadLine(done.get(), total, reused.get(), failed.get(), rate));
            };
            List<Item> items = new ArrayList<>();
            Semaphore slots = new Semaphore(o.parallel());
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Item>> futures = new ArrayList<>();
                for (LocalFiles.LocalFile f : files) {
                    futures.add(pool.submit(() -> {
                        slots.acquire();
                        try {
                            Item i = uploadFile(f, field, metadata.lookup(f.relative(), f.name()).orElse(Json.object()), resumable);
                            done.incrementAndGet();
                            if (i.failure() != null) failed.incrementAndGet();
                            else if (i.reused()) reused.incrementAndGet();
                            report.run();
                            return i;
                        } finally {
                            slots.release();
                        }
                    }));
                }
                for (Future<Item> f : futures) items.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted; run the same command again to resume");
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof CliException c ? c : new CliException("upload failed: " + e.getCause(), e.getCause());
            }
            List<Item> fromUrls = registerUrls(urls, field, metadata);
            for (Item i : fromUrls) {
                done.incrementAndGet();
                if (i.failure() != null) failed.incrementAndGet();
                else if (i.reused()) reused.incrementAndGet();
            }
            items.addAll(fromUrls);
            double rate = done.get() / Math.max(1e-9, (System.nanoTime() - started) / 1e9);
            progress.finish(uploadLine(done.get(), total, reused.get(), failed.get(), rate));
            return items;
        }

        private static String uploadLine(int done, int total, int reused, int failed, double rate) {
            return "uploaded %d/%d (%d already there) · failed %d · %.1f files/s · ETA %s"
                    .formatted(done, total, reused, failed, rate, ProgressLine.eta(total - done, rate));
        }

        private Item uploadFile(LocalFiles.LocalFile f, String field, ObjectNode metadata, Map<String, String> resumable) {
            String label = f.relative();
            try {
                Digest d = digest(f.path());
                String earlier = resumable.get(d.sha256());
                if (earlier != null) {
                    // An interrupted run sent these bytes but never confirmed them.
                    JsonNode c = server.post(bucketPath + "/uploads/" + encode(earlier) + "/confirm", Json.object().put("file_size_bytes", d.size()));
                    return new Item(label, c.path("object_id").asText(), true, null);
                }
                ObjectNode request = Json.object();
                request.put("filename", plainName(f.name()));
                request.put("content_type", f.contentType());
                request.put("file_size_bytes", d.size());
                request.put("file_hash", d.sha256());
                request.put("skip_duplicates", true);
                request.put("blob_property", field);
                request.put("blob_type", "image");
                request.set("object_metadata", metadata);
                request.putObject("metadata").put("source", "loupe ingest").put("path", label);
                JsonNode u = server.post(bucketPath + "/uploads", request);
                if (u.path("is_duplicate").asBoolean()) return new Item(label, u.path("object_id").asText(), true, null);
                String etag = put(u.path("presigned_url").asText(), f);
                ObjectNode confirm = Json.object().put("etag", etag).put("file_size_bytes", d.size());
                JsonNode c = server.post(bucketPath + "/uploads/" + encode(u.path("upload_id").asText()) + "/confirm", confirm);
                return new Item(label, c.path("object_id").asText(), c.hasNonNull("duplicate_of_upload_id"), null);
            } catch (CliException e) {
                return Item.failed(label, e.getMessage());
            } catch (IOException e) {
                return Item.failed(label, "cannot be read: " + e.getMessage());
            }
        }

        /** Sends a file to its presigned URL (no API key: the URL's signature allows it) and returns the ETag. */
        private String put(String url, LocalFiles.LocalFile f) throws IOException {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(PUT_TIMEOUT).header("Content-Type", f.contentType())
                    .PUT(HttpRequest.BodyPublishers.ofFile(f.path())).build();
            HttpResponse<String> r;
            try {
                r = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (java.nio.file.NoSuchFileException e) {
                throw e; // the file went away: reported as unreadable
            } catch (IOException e) {
                throw new CliException("PUT to the upload URL failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted");
            }
            if (r.statusCode() != 200) {
                String message;
                try {
                    message = Json.read(r.body()).path("error").path("message").asText(r.body());
                } catch (RuntimeException e) {
                    message = r.body();
                }
                throw new CliException("PUT to the upload URL: " + r.statusCode() + " " + message);
            }
            return r.headers().firstValue("ETag").orElse("");
        }

        /** Uploads whose bytes arrived but which no one confirmed, by content hash: what an interrupted run leaves. */
        private Map<String, String> receivedButUnconfirmed() {
            Map<String, String> out = new ConcurrentHashMap<>();
            for (int offset = 0; offset < MAX_RESUMABLE; offset += LIST_PAGE) {
                ObjectNode query = Json.object().put("limit", LIST_PAGE).put("offset", offset);
                query.putObject("filters").put("status", "IN_PROGRESS");
                JsonNode page = server.post(bucketPath + "/uploads/list", query);
                for (JsonNode u : page.path("results")) {
                    if (u.hasNonNull("verified_at") && u.hasNonNull("file_hash")) out.putIfAbsent(u.path("file_hash").asText(), u.path("upload_id").asText());
                }
                if (page.path("results").size() < LIST_PAGE) break;
            }
            return out;
        }

        /**
         * URLs become objects directly (the server fetches them when it processes them), 100 to a
         * request; a URL some object of the bucket already has is that object, so a re-run makes none twice.
         */
        private List<Item> registerUrls(List<String> urls, String field, MetadataTable metadata) {
            List<Item> items = new ArrayList<>();
            if (urls.isEmpty()) return items;
            Map<String, String> known = objectsByUrl(field);
            List<String> fresh = new ArrayList<>();
            for (String url : urls) {
                if (known.containsKey(url)) items.add(new Item(url, known.get(url), true, null));
                else fresh.add(url);
            }
            for (int from = 0; from < fresh.size(); from += 100) {
                List<String> chunk = fresh.subList(from, Math.min(fresh.size(), from + 100));
                ObjectNode body = Json.object();
                var objects = body.putArray("objects");
                for (String url : chunk) {
                    ObjectNode obj = objects.addObject();
                    ObjectNode blob = obj.putArray("blobs").addObject();
                    blob.put("property", field);
                    blob.put("type", "image");
                    blob.put("data", url);
                    obj.set("metadata", metadata.lookup(url, url).orElse(Json.object()));
                }
                try {
                    JsonNode created = server.post(bucketPath + "/objects/batch", body);
                    for (int i = 0; i < chunk.size(); i++) {
                        items.add(new Item(chunk.get(i), created.path("succeeded").path(i).path("object_id").asText(), false, null));
                    }
                } catch (CliException e) {
                    for (String url : chunk) items.add(Item.failed(url, e.getMessage()));
                }
            }
            return items;
        }

        /** The bucket's objects by the URL of their blob in {@code field}, read a page of 1000 at a time (the first {@value #MAX_LISTED_OBJECTS}). */
        private Map<String, String> objectsByUrl(String field) {
            Map<String, String> out = new LinkedHashMap<>();
            for (int offset = 0; offset < MAX_LISTED_OBJECTS; offset += 1000) {
                ObjectNode query = Json.object();
                query.putArray("select").add("blobs");
                JsonNode page = server.post(bucketPath + "/objects/list?limit=1000&offset=" + offset, query);
                for (JsonNode o : page.path("results")) {
                    for (JsonNode b : o.path("blobs")) {
                        String url = b.path("properties").path("url").asText("");
                        if (b.path("property").asText().equals(field) && !url.isEmpty()) out.putIfAbsent(url, o.path("object_id").asText());
                    }
                }
                if (page.path("results").size() < 1000) break;
            }
            return out;
        }

        /** The objects to submit: every new one, and of those already there the ones not processed yet. */
        private List<String> unprocessed(List<Item> items) {
            Set<String> out = new LinkedHashSet<>();
            Set<String> reused = new LinkedHashSet<>();
            for (Item i : items) {
                if (i.objectId() == null) continue;
                if (i.reused()) reused.add(i.objectId());
                else out.add(i.objectId());
            }
            for (String id : reused) {
                if (out.contains(id)) continue;
                JsonNode object = server.get(bucketPath + "/objects/" + encode(id));
                if (!"COMPLETED".equals(object.path("status").asText())) out.add(id);
            }
            return List.copyOf(out);
        }

        // ---- processing

        private record Outcome(int total, int done, Map<String, String> failures) {
        }

        private Outcome process(List<String> objectIds, int uploaded, int reused, int uploadFailures, int files) {
            List<String> tasks = new ArrayList<>();
            for (int from = 0; from < objectIds.size(); from += MAX_BATCH_OBJECTS) {
                ObjectNode batch = Json.object();
                batch.set("object_ids", Json.tree(objectIds.subList(from, Math.min(objectIds.size(), from + MAX_BATCH_OBJECTS))));
                String batchId = server.post(bucketPath + "/batches", batch).path("batch_id").asText();
                tasks.add(server.post(bucketPath + "/batches/" + encode(batchId) + "/submit", Json.object()).path("task_id").asText());
            }
            out.println("submitted " + count(objectIds.size(), "object") + " for processing (task " + String.join(", ", tasks) + ")");
            long started = System.nanoTime();
            while (true) {
                int total = 0, done = 0, failed = 0;
                boolean running = false;
                Map<String, String> failures = new LinkedHashMap<>();
                for (String task : tasks) {
                    JsonNode t = server.get("/v1/tasks/" + encode(task));
                    JsonNode data = t.path("additional_data");
                    total += data.path("total").asInt();
                    done += data.path("completed").asInt();
                    failed += data.path("failed").asInt();
                    String status = t.path("status").asText();
                    running |= status.equals("PENDING") || status.equals("PROCESSING") || status.equals("IN_PROGRESS");
                    data.path("failures").properties().forEach(e -> failures.put(e.getKey(), e.getValue().asText()));
                }
                double rate = (done + failed) / Math.max(1e-9, (System.nanoTime() - started) / 1e9);
                String line = "uploaded %d/%d · processed %d/%d · failed %d · %.1f/s · ETA %s".formatted(uploaded + reused, files,
                        done, total, failed + uploadFailures, rate, ProgressLine.eta(total - done - failed, rate));
                if (!running) {
                    progress.finish(line);
                    return new Outcome(total, done, failures);
                }
                progress.update(line);
                try {
                    Thread.sleep(POLL);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CliException("interrupted while the task runs; it goes on in the server (" + String.join(", ", tasks) + ")");
                }
            }
        }
    }

    private record Digest(String sha256, long size) {
    }

    private static Digest digest(Path file) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long size = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) != -1; ) {
                sha.update(buffer, 0, n);
                size += n;
            }
        }
        if (size == 0) throw new IOException("the file is empty");
        return new Digest(HexFormat.of().formatHex(sha.digest()), size);
    }

    /** The server takes a plain file name: no separators or '..', at most 255 characters. */
    static String plainName(String name) {
        String plain = name.replace("..", "_").replace('/', '_').replace('\\', '_').replaceAll("\\p{Cntrl}", "_");
        return plain.length() > 255 ? plain.substring(plain.length() - 255) : plain;
    }

    private static List<String> readUrls(Path file) {
        List<String> urls = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String u = line.strip();
                if (u.isEmpty() || u.startsWith("#")) continue;
                if (!u.startsWith("http://") && !u.startsWith("https://")) throw new CliException(file + ": '" + u + "' is not an http(s) URL");
                urls.add(u);
                if (urls.size() > MAX_URLS) throw new CliException(file + ": more than " + MAX_URLS + " URLs");
            }
        } catch (IOException e) {
            throw new CliException(file + ": cannot be read (" + e.getMessage() + ")");
        }
        return List.copyOf(new LinkedHashSet<>(urls));
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** For the dispatcher's help text. */
    public static String usage() {
        return IngestOptions.USAGE;
    }
}
