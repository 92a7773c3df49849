package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code loupe search "red leather handbag" --collection C} or {@code --image FILE}: one
 * ad-hoc retriever execution ({@code POST /v1/retrievers/execute}) with a single
 * {@code feature_search} stage over the collection's vector index, printed as a table
 * (score, document, object, a few fields, thumbnail URL) or, with {@code --json}, as the
 * server's answer itself.
 */
final class SearchCommand {
    static final String HELP = """
            Usage: loupe search TEXT --collection C [options]
                   loupe search --image FILE --collection C [options]

              Searches collection C (id or name) by text or by an image file, and prints the
              best documents: score, document id, object id, a few fields, thumbnail URL.

              --collection C     the collection to search (required)
              --image FILE       search by this image instead of a text (at most 50 MB)
              --limit N          documents to print (1-1000, default 10)
              --filter JSON      Mixpeek filter applied before the search, e.g.
                                 '{"field": "metadata.brand", "operator": "eq", "value": "Acme"}'
              --feature URI      vector index to search (default: the collection's first), e.g.
                                 mixpeek://image_extractor@v1/embedding
              --fields A,B       document fields to show (default: a few of its own fields)
              --json             print the server's response as it came""";

    /** The largest image sent: the server's default {@code --max-blob-bytes}. */
    static final long MAX_IMAGE_BYTES = 50L << 20;
    static final int MAX_FIELDS = 20;
    /** Fields every document carries that say nothing about the item itself. */
    private static final Set<String> SYSTEM_FIELDS = Set.of("document_id", "collection_id", "object_id", "root_object_id",
            "root_bucket_id", "source_object_id", "source_document_id", "source_type", "score", "thumbnail_url", "face_crop_url",
            "document_blobs", "created_at", "updated_at", "processing_time_ms", "namespace_id", "bucket_id");
    private static final int DEFAULT_FIELD_COUNT = 3;

    /** What a search was asked for; validated before anything is sent. */
    record Options(Optional<String> text, Optional<Path> image, String collection, int limit, Optional<JsonNode> filter,
                   Optional<String> feature, List<String> fields, boolean json) {
        Options {
            if (text.isPresent() == image.isPresent()) throw new UsageException("give either a search text or --image FILE");
            if (text.isPresent() && text.get().isBlank()) throw new UsageException("the search text is empty");
            if (fields.size() > MAX_FIELDS) throw new UsageException("--fields: at most " + MAX_FIELDS + " fields");
        }

        static Options parse(List<String> args) {
            Args a = Args.parse(args, Set.of("--collection", "--image", "--limit", "--filter", "--feature", "--fields"), Set.of("--json"));
            if (a.positionals().size() > 1) {
                throw new UsageException("one search text, quoted if it has spaces (got " + a.positionals().size() + " words)");
            }
            String collection = a.value("--collection").filter(c -> !c.isBlank())
                    .orElseThrow(() -> new UsageException("--collection is required"));
            Optional<JsonNode> filter = a.value("--filter").map(f -> {
                JsonNode node;
                try {
                    node = Json.read(f);
                } catch (RuntimeException e) {
                    throw new UsageException("--filter: not JSON: " + e.getMessage().lines().findFirst().orElse(""));
                }
                if (!node.isObject()) throw new UsageException("--filter: expected a JSON object, such as {\"metadata.brand\": \"Acme\"}");
                return node;
            });
            List<String> fields = a.value("--fields").map(f -> List.of(f.split(","))).orElse(List.of()).stream()
                    .map(String::strip).filter(s -> !s.isEmpty()).toList();
            return new Options(a.positionals().stream().findFirst(), a.value("--image").map(Path::of), collection,
                    a.integer("--limit", 1, 1000, 10), filter, a.value("--feature"), fields, a.has("--json"));
        }
    }

    private SearchCommand() {}

    static int run(Cli.Invocation call) {
        Options o = Options.parse(call.args());
        ObjectNode query = Json.object();
        if (o.text().isPresent()) {
            query.put("input_mode", "text").put("value", o.text().get());
        } else {
            query.put("input_mode", "content").put("value", dataUri(o.image().get()));
        }
        String feature = o.feature().orElseGet(() -> firstVectorIndex(call.server(), o.collection()));
        ObjectNode body = Json.object();
        body.putArray("collection_identifiers").add(o.collection());
        body.putObject("inputs");
        body.put("limit", o.limit());
        body.put("return_vectors", false);
        ObjectNode config = body.putArray("stages").addObject().put("stage_name", "search").putObject("config");
        config.put("stage_id", "feature_search");
        o.filter().ifPresent(f -> config.set("pre_filters", f));
        ObjectNode search = config.putObject("parameters").putArray("searches").addObject();
        search.put("feature_uri", feature);
        search.set("query", query);
        search.put("top_k", o.limit());
        JsonNode response = call.server().post("/v1/retrievers/execute", body);
        if (o.json()) {
            call.out().println(Json.write(response));
            return Cli.OK;
        }
        JsonNode documents = response.path("documents");
        if (documents.isEmpty()) {
            call.out().println("No documents found in " + o.collection() + ".");
            return Cli.OK;
        }
        table(documents, o.fields()).render(call.width()).forEach(call.out()::println);
        return Cli.OK;
    }

    /** The collection's first vector index, which is what a search of it means unless told otherwise. */
    private static String firstVectorIndex(ServerConnection server, String collection) {
        JsonNode c = server.get("/v1/collections/" + URLEncoder.encode(collection, StandardCharsets.UTF_8).replace("+", "%20"));
        for (JsonNode v : c.path("vector_indexes")) {
            String uri = v.path("feature_uri").asText("");
            if (!uri.isEmpty()) return uri;
        }
        throw new CliException("collection " + collection + " has no vector index to search");
    }

    private static String dataUri(Path image) {
        try {
            if (!Files.isRegularFile(image)) throw new CliException("--image: no such file: " + image);
            long size = Files.size(image);
            if (size > MAX_IMAGE_BYTES) throw new CliException("--image: " + image + " is " + size + " bytes; at most " + MAX_IMAGE_BYTES);
            if (size == 0) throw new CliException("--image: " + image + " is empty");
            return "data:" + contentType(image) + ";base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(image));
        } catch (IOException e) {
            throw new CliException("--image: cannot read " + image + ": " + e.getMessage(), e);
        }
    }

    private static String contentType(Path image) {
        String name = image.getFileName().toString().toLowerCase(Locale.ROOT);
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
        return switch (ext) {
            case "png" -> "image/png";
            case "webp" -> "image/webp";
            case "gif" -> "image/gif";
            case "tif", "tiff" -> "image/tiff";
            case "heic", "heif" -> "image/heic";
            case "avif" -> "image/avif";
            default -> "image/jpeg"; // the server decodes by content, not by this label
        };
    }

    static Table table(JsonNode documents, List<String> requestedFields) {
        List<String> fields = requestedFields.isEmpty() ? keyFields(documents) : requestedFields;
        List<Table.Column> columns = new ArrayList<>(List.of(Table.Column.number("SCORE"), Table.Column.fixed("DOCUMENT"),
                Table.Column.fixed("OBJECT")));
        for (String f : fields) columns.add(Table.Column.flexible(f.toUpperCase(Locale.ROOT)));
        columns.add(Table.Column.fixed("THUMBNAIL"));
        Table t = new Table(columns);
        for (JsonNode d : documents) {
            List<String> cells = new ArrayList<>();
            cells.add(String.format(Locale.ROOT, "%.4f", d.path("score").asDouble()));
            cells.add(d.path("document_id").asText(""));
            cells.add(firstText(d, "root_object_id", "object_id", "source_object_id"));
            for (String f : fields) cells.add(text(at(d, f)));
            cells.add(firstText(d, "thumbnail_url", "face_crop_url"));
            t.row(cells);
        }
        return t;
    }

    /**
     * The fields worth a column when none are asked for: the first documents' own scalar fields
     * (passthrough fields, a description, OCR text), then their metadata's, a few at most.
     */
    static List<String> keyFields(JsonNode documents) {
        List<String> out = new ArrayList<>();
        for (JsonNode d : documents) {
            for (Map.Entry<String, JsonNode> e : d.properties()) {
                if (out.size() < DEFAULT_FIELD_COUNT && e.getValue().isValueNode() && !e.getValue().isNull()
                        && !SYSTEM_FIELDS.contains(e.getKey()) && !out.contains(e.getKey())) out.add(e.getKey());
            }
        }
        for (JsonNode d : documents) {
            for (Map.Entry<String, JsonNode> e : d.path("metadata").properties()) {
                String path = "metadata." + e.getKey();
                // A passthrough field shows the same value at the root already.
                if (out.size() < DEFAULT_FIELD_COUNT && e.getValue().isValueNode() && !out.contains(path) && !out.contains(e.getKey())) {
                    out.add(path);
                }
            }
        }
        return out;
    }

    private static JsonNode at(JsonNode d, String path) {
        JsonNode v = d.get(path); // a root field whose name has a dot
        if (v != null) return v;
        v = d;
        for (String part : path.split("\\.")) v = v.path(part);
        return v;
    }

    private static String firstText(JsonNode d, String... fields) {
        for (String f : fields) {
            String s = d.path(f).asText("");
            if (!s.isEmpty()) return s;
        }
        return "";
    }

    private static String text(JsonNode v) {
        if (v.isMissingNode() || v.isNull()) return "";
        return v.isValueNode() ? v.asText() : Json.write(v);
    }
}
