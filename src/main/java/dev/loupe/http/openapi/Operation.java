package dev.loupe.http.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One documented route: what {@code GET /openapi.json} says of a method and path Loupe serves.
 * Built with the static constructors and refined with the {@code with}-style methods, one
 * expression per route:
 *
 * <pre>
 * Operation.post("/v1/buckets", "Buckets", "Create a bucket")
 *         .body(Schemas.object(Schemas.required("bucket_name", Schemas.name()), ...))
 *         .returns(Schemas.ref("Bucket"))
 * </pre>
 *
 * Path parameters come from the path itself ({@code {bucket}}); each is documented as taking
 * an id or a name unless {@link #pathParam} says otherwise.
 *
 * @param access         what the caller must present
 * @param loupeExtension true for a route Mixpeek's API does not have ({@code x-loupe-extension})
 * @param body           the request body, null for none
 */
public record Operation(String method, String path, String tag, String summary, String description, Access access,
                        boolean loupeExtension, List<Param> params, Content body, Reply reply) {
    /** The methods the router serves operations on; HEAD and OPTIONS are protocol, not operations. */
    public static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}/]+)}");

    /** Who may call: a Loupe API key (and a namespace), anyone, or a published retriever's public key. */
    public enum Access { KEY, OPEN, PUBLIC_KEY }

    /** A path or query parameter (the X-Namespace header is one shared component). */
    public record Param(String name, In in, JsonNode schema, boolean required, String description) {
        public enum In { PATH, QUERY }

        public Param {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(in, "in");
            Objects.requireNonNull(schema, "schema");
        }
    }

    /** A request body: its media type and, for JSON, its schema. */
    public record Content(String mediaType, JsonNode schema) {
        public Content {
            Objects.requireNonNull(mediaType, "mediaType");
        }
    }

    /** The success answer: its status, media type ("" for no body) and schema (null: a body the schema does not describe). */
    public record Reply(int status, String mediaType, JsonNode schema, String description) {
        public Reply {
            if (status < 200 || status > 399) throw new IllegalArgumentException("a success reply needs a 2xx or 3xx status, got " + status);
            Objects.requireNonNull(mediaType, "mediaType");
        }
    }

    public Operation {
        if (!METHODS.contains(method)) throw new IllegalArgumentException("method must be one of " + METHODS + ", got " + method);
        if (path == null || !path.startsWith("/")) throw new IllegalArgumentException("path must start with '/', got " + path);
        if (tag == null || tag.isBlank()) throw new IllegalArgumentException(method + " " + path + ": a tag is required");
        if (summary == null || summary.isBlank()) throw new IllegalArgumentException(method + " " + path + ": a summary is required");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(reply, "reply");
        params = List.copyOf(params);
    }

    public static Operation get(String path, String tag, String summary) {
        return of("GET", path, tag, summary);
    }

    public static Operation post(String path, String tag, String summary) {
        return of("POST", path, tag, summary);
    }

    public static Operation put(String path, String tag, String summary) {
        return of("PUT", path, tag, summary);
    }

    public static Operation patch(String path, String tag, String summary) {
        return of("PATCH", path, tag, summary);
    }

    public static Operation delete(String path, String tag, String summary) {
        return of("DELETE", path, tag, summary);
    }

    private static Operation of(String method, String path, String tag, String summary) {
        List<Param> params = new ArrayList<>();
        Matcher m = PATH_PARAM.matcher(path);
        while (m.find()) {
            params.add(new Param(m.group(1), Param.In.PATH, Schemas.string(), true, "its id or its name"));
        }
        return new Operation(method, path, tag, summary, null, Access.KEY, false, params, null,
                new Reply(200, "application/json", null, "Success"));
    }

    /** Longer prose under the summary. */
    public Operation describe(String text) {
        return new Operation(method, path, tag, summary, text, access, loupeExtension, params, body, reply);
    }

    /** Callable without a key (and without a namespace). */
    public Operation open() {
        return new Operation(method, path, tag, summary, description, Access.OPEN, loupeExtension, params, body, reply);
    }

    /** Callable with a published retriever's {@code X-Public-API-Key} instead of an API key. */
    public Operation publicKey() {
        return new Operation(method, path, tag, summary, description, Access.PUBLIC_KEY, loupeExtension, params, body, reply);
    }

    /** Marks a route Mixpeek's API does not have. */
    public Operation extension() {
        return new Operation(method, path, tag, summary, description, access, true, params, body, reply);
    }

    /** A JSON request body of this schema. */
    public Operation body(JsonNode schema) {
        return body(new Content("application/json", schema));
    }

    /** A request body of another media type ({@code application/octet-stream}, say). */
    public Operation body(Content content) {
        return new Operation(method, path, tag, summary, description, access, loupeExtension, params, content, reply);
    }

    public Operation query(String name, JsonNode schema, String text) {
        return withParam(new Param(name, Param.In.QUERY, schema, false, text));
    }

    /** Redescribes the path parameter {@code name} (one not named by id or name, say). */
    public Operation pathParam(String name, JsonNode schema, String text) {
        if (params.stream().noneMatch(p -> p.in() == Param.In.PATH && p.name().equals(name))) {
            throw new IllegalArgumentException(method + " " + path + " has no path parameter '" + name + "'");
        }
        List<Param> more = new ArrayList<>();
        for (Param p : params) more.add(p.in() == Param.In.PATH && p.name().equals(name) ? new Param(name, Param.In.PATH, schema, true, text) : p);
        return new Operation(method, path, tag, summary, description, access, loupeExtension, more, body, reply);
    }

    private Operation withParam(Param p) {
        List<Param> more = new ArrayList<>(params);
        more.add(p);
        return new Operation(method, path, tag, summary, description, access, loupeExtension, more, body, reply);
    }

    /** A JSON success answer with status 200. */
    public Operation returns(JsonNode schema) {
        return returns(200, "application/json", schema, "Success");
    }

    /** An answer without a body (204, say). */
    public Operation returnsNothing(int status, String text) {
        return returns(status, "", null, text);
    }

    public Operation returns(int status, String mediaType, JsonNode schema, String text) {
        return new Operation(method, path, tag, summary, description, access, loupeExtension, params, body, new Reply(status, mediaType, schema, text));
    }

    /** The path with every parameter name blanked ({@code /v1/buckets/{}}): how routes are compared. */
    public static String shape(String path) {
        return PATH_PARAM.matcher(path).replaceAll("{}").replaceAll("<[^>/]+>", "{}");
    }

    /** {@code "GET /v1/buckets/{}"}: a route's identity, whatever its parameters are called. */
    public String key() {
        return method + " " + shape(path);
    }
}
