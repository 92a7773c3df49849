package dev.loupe.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Mixpeek's {@code CreateUploadRequest}, read and bounded: every field the document defines,
 * with its defaults ({@code presigned_url_expiration} 3600 s within 60–86400,
 * {@code create_object_on_confirm} and {@code skip_duplicates} true), {@code blob_type}
 * derived from {@code content_type} when absent and {@code blob_property} from the file name.
 */
public record UploadRequest(String filename, String contentType, Optional<Long> fileSizeBytes, int expirationSeconds,
                            ObjectNode metadata, boolean createObjectOnConfirm, ObjectNode objectMetadata,
                            String blobProperty, String blobType, Optional<String> fileHash, boolean skipDuplicates) {
    public static final int DEFAULT_EXPIRATION = 3600;
    public static final int MIN_EXPIRATION = 60;
    public static final int MAX_EXPIRATION = 86_400;
    /** Serialized size of {@code metadata} and of {@code object_metadata}, each. */
    public static final int MAX_METADATA_BYTES = 64 * 1024;
    public static final int MAX_FILENAME_LENGTH = 255;

    /** The blob types an upload can be; the bucket's field types beyond these hold values, not files. */
    static final Set<String> BLOB_TYPES = Set.of("image", "video", "audio", "text", "pdf", "excel", "json");
    private static final Pattern MIME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");
    private static final Pattern PROPERTY = Pattern.compile("[a-zA-Z0-9_]{1,100}");
    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");

    /**
     * Reads one request; {@code shared} metadata (a batch's) is merged under the request's own,
     * which wins, as Mixpeek's batch endpoint documents. {@code maxBlobBytes} bounds the declared size.
     */
    public static UploadRequest parse(Body b, ObjectNode sharedMetadata, ObjectNode sharedObjectMetadata, long maxBlobBytes) {
        String filename = b.requiredString("filename");
        checkFilename(b, filename);
        String contentType = b.requiredString("content_type").strip();
        if (!MIME.matcher(contentType.split(";", 2)[0].strip()).matches()) {
            throw b.invalid("content_type", "must be a MIME type such as image/jpeg, got '" + clip(contentType) + "'");
        }
        Optional<Long> size = b.optionalLong("file_size_bytes", 1, Long.MAX_VALUE);
        if (size.isPresent() && size.get() > maxBlobBytes) {
            throw LoupeException.tooLarge(at(b, "file_size_bytes") + ": " + size.get() + " bytes is over this server's "
                    + maxBlobBytes + "-byte limit (--max-blob-bytes)");
        }
        int expiration = b.optionalInt("presigned_url_expiration", MIN_EXPIRATION, MAX_EXPIRATION).orElse(DEFAULT_EXPIRATION);
        ObjectNode metadata = merged(sharedMetadata, b.objectOrEmpty("metadata"));
        bounded(b, "metadata", metadata);
        ObjectNode objectMetadata = merged(sharedObjectMetadata, b.objectOrEmpty("object_metadata"));
        bounded(b, "object_metadata", objectMetadata);
        String blobType = b.optionalString("blob_type").map(t -> t.strip().toLowerCase(Locale.ROOT))
                .orElseGet(() -> typeOf(contentType).orElseThrow(() -> b.invalid("blob_type",
                        "cannot be derived from content_type '" + clip(contentType) + "'; give one of " + new java.util.TreeSet<>(BLOB_TYPES))));
        if (!BLOB_TYPES.contains(blobType)) throw b.invalid("blob_type", "must be one of " + new java.util.TreeSet<>(BLOB_TYPES) + ", got '" + clip(blobType) + "'");
        String property = b.optionalString("blob_property").orElseGet(() -> stem(filename));
        if (!PROPERTY.matcher(property).matches()) {
            throw b.invalid("blob_property", "must be 1-100 letters, digits or underscores"
                    + (b.has("blob_property") ? "" : " (it defaults to the file name without its extension: give it)") + ", got '" + clip(property) + "'");
        }
        Optional<String> hash = b.optionalString("file_hash").map(h -> h.strip().toLowerCase(Locale.ROOT));
        if (hash.isPresent() && !SHA256.matcher(hash.get()).matches()) {
            throw b.invalid("file_hash", "must be the file's SHA-256 as 64 hexadecimal digits");
        }
        return new UploadRequest(filename, contentType, size, expiration, metadata,
                b.optionalBoolean("create_object_on_confirm").orElse(true), objectMetadata, property, blobType, hash,
                b.optionalBoolean("skip_duplicates").orElse(true));
    }

    private static void checkFilename(Body b, String name) {
        if (name.isBlank() || name.length() > MAX_FILENAME_LENGTH) throw b.invalid("filename", "must be 1-" + MAX_FILENAME_LENGTH + " characters");
        if (name.contains("/") || name.contains("\\") || name.contains("..") || name.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw b.invalid("filename", "must be a plain file name (no '/', '\\', '..' or control characters), got '" + clip(name) + "'");
        }
    }

    private static String at(Body b, String field) {
        return b.path().equals("body") ? field : b.path() + "." + field;
    }

    private static ObjectNode merged(ObjectNode shared, ObjectNode own) {
        if (shared == null || shared.isEmpty()) return own;
        ObjectNode out = shared.deepCopy();
        own.properties().forEach(e -> out.set(e.getKey(), e.getValue()));
        return out;
    }

    private static void bounded(Body b, String field, JsonNode value) {
        int bytes = Json.write(value).getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_METADATA_BYTES) {
            throw LoupeException.tooLarge(at(b, field) + ": " + bytes + " bytes of JSON, over the " + MAX_METADATA_BYTES + "-byte limit");
        }
    }

    /** Mixpeek's derivation of a blob's type from its MIME type. */
    static Optional<String> typeOf(String contentType) {
        String mime = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (mime.startsWith("image/")) return Optional.of("image");
        if (mime.startsWith("video/")) return Optional.of("video");
        if (mime.startsWith("audio/")) return Optional.of("audio");
        if (mime.equals("application/pdf")) return Optional.of("pdf");
        if (mime.equals("application/json")) return Optional.of("json");
        if (mime.startsWith("text/")) return Optional.of("text");
        if (mime.contains("spreadsheet") || mime.equals("application/vnd.ms-excel")) return Optional.of("excel");
        return Optional.empty();
    }

    private static String stem(String filename) {
        int dot = filename.lastIndexOf('.');
        return dot > 0 ? filename.substring(0, dot) : filename;
    }

    private static String clip(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
