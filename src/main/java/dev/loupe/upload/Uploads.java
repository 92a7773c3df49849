package dev.loupe.upload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import dev.loupe.blob.BlobStore;
import dev.loupe.catalog.Bucket;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Database;
import dev.loupe.catalog.Ids;
import dev.loupe.catalog.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Mixpeek's presigned upload flow, served by Loupe itself: {@link #create} records an upload and
 * signs a URL on this server ({@link UploadSigner}); the client PUTs the bytes there
 * ({@link #receive}), which streams them into the content-addressed {@link BlobStore} within the
 * signed size bound; {@link #confirm} checks them against what the client declared and hands the
 * upload to whoever creates its object.
 *
 * <p>Each URL is single-use: its PUT first claims the upload ({@code PENDING → RECEIVING}, a
 * conditional update), so a second PUT finds it taken; a PUT that fails gives the claim back, and
 * one that a crash cut short is given back at the next start ({@link #recover}).
 *
 * <p>Duplicates follow Mixpeek's description of {@code skip_duplicates}: with a {@code file_hash},
 * creating an upload whose content a completed upload of the bucket already holds returns that
 * upload, marked {@code is_duplicate}, with no URL; without one, confirmation finds the duplicate
 * by the bytes received and points the upload at the original's object instead of making another.
 * An original whose object has since been deleted no longer counts.
 */
public final class Uploads {
    /** Where presigned URLs point, outside {@code /v1}: the signature is the authorisation. */
    public static final String PATH = "/uploads/";
    public static final int MAX_BATCH = 100;
    private static final String EXTENSION = "bin";

    private final Database db;
    private final Catalog catalog;
    private final BlobStore blobs;
    private final UploadSigner signer;
    private final long maxBlobBytes;
    private final Clock clock;

    public Uploads(Catalog catalog, BlobStore blobs, UploadSigner signer, long maxBlobBytes, Clock clock) {
        this.db = catalog.database();
        this.catalog = catalog;
        this.blobs = blobs;
        this.signer = signer;
        this.maxBlobBytes = maxBlobBytes;
        this.clock = clock;
    }

    public long maxBlobBytes() {
        return maxBlobBytes;
    }

    public Instant now() {
        return clock.instant();
    }

    /** An upload as created: new (with a URL to PUT to) or the completed one holding the same content. */
    public record Creation(Upload upload, boolean duplicate) {
    }

    /** Makes the bucket object of a confirmed upload, inside confirmation's transaction, and returns its id. */
    @FunctionalInterface
    public interface ObjectMaker {
        String make(Upload upload);
    }

    /** What a client says about the bytes it sent, at confirmation. */
    public record Confirmation(String uploadId, Optional<String> etag, Optional<Long> fileSizeBytes) {
    }

    // ---- create

    public Creation create(String namespaceId, Bucket bucket, UploadRequest request) {
        return createAll(namespaceId, bucket, List.of(request)).getFirst();
    }

    /** Creates every upload or none (one transaction), each checked against the bucket's schema first. */
    public List<Creation> createAll(String namespaceId, Bucket bucket, List<UploadRequest> requests) {
        for (int i = 0; i < requests.size(); i++) checkAgainstSchema(bucket, requests.get(i), requests.size() == 1 ? "" : "uploads[" + i + "].");
        Instant now = now();
        return db.inTransaction(c -> {
            List<Creation> out = new ArrayList<>();
            for (UploadRequest r : requests) {
                if (r.skipDuplicates() && r.fileHash().isPresent()) {
                    Optional<Upload> original = original(c, namespaceId, bucket.bucketId(), r.fileHash().get(), null, r.createObjectOnConfirm());
                    if (original.isPresent()) {
                        out.add(new Creation(original.get(), true));
                        continue;
                    }
                }
                Instant expires = now.plusSeconds(r.expirationSeconds()).truncatedTo(ChronoUnit.SECONDS);
                Upload u = new Upload(Ids.next("upl_"), namespaceId, bucket.bucketId(), r.filename(), r.contentType(),
                        r.fileSizeBytes().orElse(null), r.expirationSeconds(), expires.toString(), UploadStatus.PENDING,
                        r.metadata(), r.createObjectOnConfirm(), r.objectMetadata(), r.blobProperty(), r.blobType(),
                        r.fileHash().orElse(null), r.skipDuplicates(), null, null, null, null,
                        now.truncatedTo(ChronoUnit.MILLIS).toString(), null);
                insert(c, u);
                out.add(new Creation(u, false));
            }
            return out;
        });
    }

    /**
     * Mixpeek validates an object-making upload against the bucket before it signs a URL. Loupe's
     * objects carry blobs of any property when the bucket declares no schema, so only a declared
     * schema is held to: the property must be in it, with the blob's type where it names a blob type.
     */
    private static void checkAgainstSchema(Bucket bucket, UploadRequest r, String at) {
        if (!r.createObjectOnConfirm()) return;
        JsonNode properties = bucket.bucketSchema() == null ? null : bucket.bucketSchema().path("properties");
        if (properties == null || !properties.isObject() || properties.isEmpty()) return;
        JsonNode field = properties.get(r.blobProperty());
        if (field == null) {
            List<String> names = new ArrayList<>();
            properties.fieldNames().forEachRemaining(names::add);
            throw LoupeException.invalid(at + "blob_property", "'" + r.blobProperty() + "' is not a property of bucket "
                    + bucket.bucketName() + "'s schema " + names + "; name one with blob_property");
        }
        String declared = field.path("type").asText("").toLowerCase(Locale.ROOT);
        if (UploadRequest.BLOB_TYPES.contains(declared) && !declared.equals(r.blobType())) {
            throw LoupeException.invalid(at + "blob_type", "property '" + r.blobProperty() + "' holds " + declared
                    + " blobs, not " + r.blobType() + " (content_type " + r.contentType() + ")");
        }
    }

    /** The presigned URL's path and query for an upload, to be put after the server's public base. */
    public String presignedPath(Upload u) {
        long expires = Instant.parse(u.expiresAt()).getEpochSecond();
        long max = u.maxBytes(maxBlobBytes);
        return PATH + u.uploadId() + "?expires=" + expires + "&max_bytes=" + max + "&signature=" + signer.sign(u.uploadId(), expires, max);
    }

    // ---- the PUT

    /**
     * Receives the bytes of an upload through its presigned URL. The signature is checked before
     * anything is read or looked up; the body is streamed to disk and refused the moment it
     * passes the signed bound, and a declared size must be met exactly.
     */
    public Upload receive(String uploadId, long expires, long maxBytes, String signature, OptionalLong contentLength,
                          Optional<String> contentType, InputStream body) {
        if (!signer.verify(uploadId, expires, maxBytes, signature)) {
            throw LoupeException.forbidden("the upload URL's signature does not match (a changed or made-up URL); ask for a new one");
        }
        if (now().getEpochSecond() > expires) {
            throw LoupeException.forbidden("the upload URL expired at " + Instant.ofEpochSecond(expires) + "; create a new upload");
        }
        if (contentLength.isPresent() && contentLength.getAsLong() > maxBytes) {
            throw LoupeException.tooLarge("the body is " + contentLength.getAsLong() + " bytes; this upload accepts at most " + maxBytes);
        }
        Upload claimed = db.inTransaction(c -> {
            Upload u = find(c, uploadId).orElseThrow(() -> LoupeException.notFound("upload", uploadId));
            if (contentType.isPresent() && !sameMime(contentType.get(), u.contentType())) {
                throw LoupeException.invalid("Content-Type", "the upload was created for " + u.contentType() + ", not " + contentType.get());
            }
            switch (u.statusAt(now())) {
                case PENDING -> {
                }
                case EXPIRED -> throw LoupeException.forbidden("the upload expired at " + u.expiresAt() + "; create a new upload");
                case RECEIVING -> throw LoupeException.conflict("upload " + uploadId + " is receiving its bytes from another request");
                case UPLOADED, COMPLETED -> throw LoupeException.conflict("upload " + uploadId
                        + " already received its bytes: an upload URL is single-use; create a new upload to send other bytes");
                case CANCELED -> throw LoupeException.conflict("upload " + uploadId + " was canceled");
                case FAILED -> throw LoupeException.conflict("upload " + uploadId + " failed: " + u.error());
            }
            Upload receiving = u.with(UploadStatus.RECEIVING);
            if (!write(c, receiving, UploadStatus.PENDING)) throw LoupeException.conflict("upload " + uploadId + " changed meanwhile; try again");
            return receiving;
        });
        BlobStore.Stored stored;
        try {
            // A declared size must be met exactly; without one, any non-empty body within the bound.
            stored = blobs.put(body, claimed.fileSizeBytes() == null ? 1 : claimed.fileSizeBytes(), maxBytes, EXTENSION);
        } catch (BlobStore.TooLong e) {
            release(claimed);
            throw LoupeException.tooLarge("the body is " + e.getMessage() + " by this upload"
                    + (claimed.fileSizeBytes() == null ? " (--max-blob-bytes)" : " (its file_size_bytes)"));
        } catch (BlobStore.TooShort e) {
            release(claimed);
            throw LoupeException.invalid("body", e.getMessage() + (claimed.fileSizeBytes() == null
                    ? " (an upload needs at least one byte)" : " (the upload's file_size_bytes)"));
        } catch (IOException | RuntimeException e) {
            release(claimed);
            throw LoupeException.malformed("the upload's body could not be read to its end: " + e.getMessage());
        }
        Upload received = claimed.withReceived(new Upload.Received(stored.sha256(), stored.md5(), stored.sizeBytes(), stamp()));
        return db.inTransaction(c -> {
            if (!write(c, received, UploadStatus.RECEIVING)) {
                throw LoupeException.conflict("upload " + uploadId + " was canceled while its bytes arrived");
            }
            return received;
        });
    }

    private void release(Upload claimed) {
        db.inTransaction(c -> write(c, claimed.with(UploadStatus.PENDING), UploadStatus.RECEIVING));
    }

    private static boolean sameMime(String a, String b) {
        return a.split(";", 2)[0].strip().equalsIgnoreCase(b.split(";", 2)[0].strip());
    }

    /**
     * Gives back the claims of PUTs that a stopped process never finished, so their URLs work again.
     * Not on a shared catalog: there a RECEIVING upload may be another node's PUT in progress, and
     * giving it back would let a second PUT in and refuse the first one's end. A claim a crashed node
     * left there ends with its URL: at {@code expires_at} the upload reads EXPIRED and the client
     * makes a new one (claims record no owner yet that would tell a dead node's from a live one's).
     */
    public void recover() {
        if (db.dialect().shared()) return;
        db.inTransaction(c -> {
            List<Upload> stuck = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT body FROM uploads WHERE status = ?")) {
                ps.setString(1, UploadStatus.RECEIVING.name());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) stuck.add(Json.read(rs.getString(1), Upload.class));
                }
            }
            for (Upload u : stuck) write(c, u.with(UploadStatus.PENDING), UploadStatus.RECEIVING);
            return null;
        });
    }

    // ---- confirm

    /**
     * Confirms one upload. An upload already completed is answered as it stands (a retried confirm
     * makes no second object). Bytes that contradict what the client declared fail the upload:
     * its URL is spent, so it could never succeed; the client creates a new one.
     */
    public Upload confirm(String namespaceId, String bucketId, Confirmation confirmation, ObjectMaker maker) {
        Upload out = db.inTransaction(c -> confirm(c, namespaceId, bucketId, confirmation, maker, ""));
        if (out.status() == UploadStatus.FAILED) throw refusal(out.error());
        return out;
    }

    /**
     * Confirms every upload or none: each is checked first, and any that fails is recorded as failed
     * and named in the refusal, nothing else being confirmed.
     */
    public List<Upload> confirmAll(String namespaceId, String bucketId, List<Confirmation> confirmations, ObjectMaker maker) {
        List<Upload> failed = new ArrayList<>();
        db.inTransaction(c -> {
            for (int i = 0; i < confirmations.size(); i++) {
                Confirmation k = confirmations.get(i);
                Upload u = require(c, namespaceId, bucketId, k.uploadId());
                String where = "confirmations[" + i + "].";
                checkConfirmable(u, where);
                if (u.status() == UploadStatus.UPLOADED) {
                    Optional<String> problem = mismatch(u, k, where);
                    if (problem.isPresent()) {
                        Upload f = u.failed(problem.get());
                        write(c, f, UploadStatus.UPLOADED);
                        failed.add(f);
                    }
                }
            }
            return null;
        });
        if (!failed.isEmpty()) {
            throw LoupeException.invalid(failed.getFirst().error().split(": ", 2)[0], failed.size() + " of " + confirmations.size()
                    + " uploads do not match what was declared and failed; nothing was confirmed: "
                    + String.join("; ", failed.stream().map(f -> f.uploadId() + " " + f.error()).toList()));
        }
        return db.inTransaction(c -> {
            List<Upload> out = new ArrayList<>();
            for (int i = 0; i < confirmations.size(); i++) {
                out.add(confirm(c, namespaceId, bucketId, confirmations.get(i), maker, "confirmations[" + i + "]."));
            }
            return out;
        });
    }

    private Upload confirm(Connection c, String namespaceId, String bucketId, Confirmation k, ObjectMaker maker, String where)
            throws SQLException {
        Upload u = require(c, namespaceId, bucketId, k.uploadId());
        checkConfirmable(u, where);
        if (u.status() == UploadStatus.COMPLETED) return u;
        Optional<String> problem = mismatch(u, k, where);
        if (problem.isPresent()) {
            Upload f = u.failed(problem.get());
            write(c, f, UploadStatus.UPLOADED);
            return f;
        }
        String at = stamp();
        Optional<Upload> original = u.skipDuplicates()
                ? original(c, namespaceId, bucketId, u.received().sha256(), u.uploadId(), u.createObjectOnConfirm())
                : Optional.empty();
        if (original.isPresent()) {
            Upload done = u.completed(original.get().objectId(), original.get().uploadId(), at);
            write(c, done, UploadStatus.UPLOADED);
            return done;
        }
        // Completed before its object is made, so that the object's blob can name it like any completed upload.
        Upload done = u.completed(null, null, at);
        write(c, done, UploadStatus.UPLOADED);
        if (!u.createObjectOnConfirm()) return done;
        Upload withObject = done.completed(maker.make(done), null, at);
        write(c, withObject, UploadStatus.COMPLETED);
        return withObject;
    }

    /** A recorded {@code field: reason} as the refusal naming that field. */
    private static LoupeException refusal(String error) {
        String[] parts = error.split(": ", 2);
        return LoupeException.invalid(parts[0], parts.length > 1 ? parts[1] : error);
    }

    private void checkConfirmable(Upload u, String where) {
        switch (u.statusAt(now())) {
            case UPLOADED, COMPLETED -> {
            }
            case PENDING -> throw LoupeException.conflict(where + "upload " + u.uploadId() + " has received no bytes yet; PUT the file to its presigned_url first");
            case RECEIVING -> throw LoupeException.conflict(where + "upload " + u.uploadId() + " is still receiving its bytes");
            case EXPIRED -> throw LoupeException.conflict(where + "upload " + u.uploadId() + " expired at " + u.expiresAt() + " before any bytes arrived");
            case CANCELED -> throw LoupeException.conflict(where + "upload " + u.uploadId() + " was canceled");
            case FAILED -> throw LoupeException.conflict(where + "upload " + u.uploadId() + " failed: " + u.error());
        }
    }

    /** Why the received bytes are not what the client declared, as {@code field: reason}; empty when they are. */
    private static Optional<String> mismatch(Upload u, Confirmation k, String where) {
        Upload.Received r = u.received();
        if (k.fileSizeBytes().isPresent() && k.fileSizeBytes().get() != r.sizeBytes()) {
            return Optional.of(where + "file_size_bytes: " + k.fileSizeBytes().get() + " bytes confirmed, " + r.sizeBytes() + " received");
        }
        if (k.etag().isPresent()) {
            String etag = k.etag().get().strip().replace("\"", "").toLowerCase(Locale.ROOT);
            if (!etag.equals(r.md5()) && !etag.equals(r.sha256())) {
                return Optional.of(where + "etag: '" + clip(k.etag().get()) + "' is not the received bytes' ETag \"" + r.md5() + "\"");
            }
        }
        if (u.fileHash() != null && !u.fileHash().equals(r.sha256())) {
            return Optional.of(where + "file_hash: the upload declared SHA-256 " + u.fileHash() + ", the received bytes have " + r.sha256());
        }
        return Optional.empty();
    }

    /**
     * The completed upload of the bucket holding this content, other than {@code except}, whose
     * object still exists (or, for an upload that wants none, any).
     */
    private Optional<Upload> original(Connection c, String namespaceId, String bucketId, String sha256, String except,
                                      boolean wantsObject) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT body FROM uploads WHERE bucket_id = ? AND sha256 = ? AND status = ? ORDER BY seq")) {
            ps.setString(1, bucketId);
            ps.setString(2, sha256);
            ps.setString(3, UploadStatus.COMPLETED.name());
            List<Upload> candidates = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) candidates.add(Json.read(rs.getString(1), Upload.class));
            }
            for (Upload u : candidates) {
                if (u.uploadId().equals(except) || !u.namespaceId().equals(namespaceId)) continue;
                if (u.objectId() == null ? !wantsObject : catalog.find(c, Kind.OBJECT, namespaceId, u.objectId()).isPresent()) {
                    return Optional.of(u);
                }
            }
            return Optional.empty();
        }
    }

    // ---- read, cancel

    public Upload require(String namespaceId, String bucketId, String uploadId) {
        return db.inTransaction(c -> require(c, namespaceId, bucketId, uploadId));
    }

    private Upload require(Connection c, String namespaceId, String bucketId, String uploadId) throws SQLException {
        return find(c, uploadId).filter(u -> u.namespaceId().equals(namespaceId) && u.bucketId().equals(bucketId))
                .orElseThrow(() -> LoupeException.notFound("upload", uploadId));
    }

    /**
     * Cancels an upload that has not completed (Mixpeek refuses to cancel a completed one): its
     * URL stops working, and a PUT streaming at that moment is refused when it ends. Received
     * bytes stay in the content-addressed store, which other objects may share.
     */
    public Upload cancel(String namespaceId, String bucketId, String uploadId) {
        return db.inTransaction(c -> {
            Upload u = require(c, namespaceId, bucketId, uploadId);
            if (u.status() == UploadStatus.COMPLETED) {
                throw LoupeException.conflict("upload " + uploadId + " is completed and cannot be canceled"
                        + (u.objectId() == null ? "" : "; delete its object " + u.objectId() + " instead"));
            }
            if (u.status() == UploadStatus.CANCELED) return u;
            Upload canceled = u.with(UploadStatus.CANCELED);
            write(c, canceled, u.status());
            return canceled;
        });
    }

    /** The upload an object's blob names by {@code upload_id}: a completed one of this bucket, with its bytes. */
    public Upload completed(String namespaceId, String bucketId, String uploadId, String field) {
        Upload u = db.inTransaction(c -> find(c, uploadId)).filter(x -> x.namespaceId().equals(namespaceId) && x.bucketId().equals(bucketId))
                .orElseThrow(() -> LoupeException.invalid(field, "no upload " + uploadId + " in this bucket"));
        if (u.status() != UploadStatus.COMPLETED || u.received() == null) {
            throw LoupeException.invalid(field, "upload " + uploadId + " is " + u.statusAt(now()).wire() + "; confirm it before an object names it");
        }
        return u;
    }

    /** Hands the bucket's uploads to {@code chunk}, newest first (Mixpeek's default order), {@code size} at a time. */
    public void scan(String namespaceId, String bucketId, int size, Consumer<List<Upload>> chunk) {
        long before = Long.MAX_VALUE;
        while (true) {
            long from = before;
            List<Upload> rows = new ArrayList<>();
            long[] last = {before};
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT seq, body FROM uploads WHERE namespace_id = ? AND bucket_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?")) {
                    ps.setString(1, namespaceId);
                    ps.setString(2, bucketId);
                    ps.setLong(3, from);
                    ps.setInt(4, size);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            last[0] = rs.getLong(1);
                            rows.add(Json.read(rs.getString(2), Upload.class));
                        }
                    }
                }
                return null;
            });
            if (!rows.isEmpty()) chunk.accept(rows);
            if (rows.size() < size) return;
            before = last[0];
        }
    }

    // ---- storage

    private static Optional<Upload> find(Connection c, String uploadId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT body FROM uploads WHERE upload_id = ?")) {
            ps.setString(1, uploadId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Json.read(rs.getString(1), Upload.class)) : Optional.empty();
            }
        }
    }

    private static void insert(Connection c, Upload u) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO uploads(upload_id, namespace_id, bucket_id, status, sha256, body) VALUES (?,?,?,?,?,?)")) {
            ps.setString(1, u.uploadId());
            ps.setString(2, u.namespaceId());
            ps.setString(3, u.bucketId());
            ps.setString(4, u.status().name());
            ps.setString(5, u.received() == null ? null : u.received().sha256());
            ps.setString(6, Json.write(u));
            ps.executeUpdate();
        }
    }

    /** Writes {@code u} if the stored upload is still in {@code expected}; whether it was. */
    private static boolean write(Connection c, Upload u, UploadStatus expected) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE uploads SET status = ?, sha256 = ?, body = ? WHERE upload_id = ? AND status = ?")) {
            ps.setString(1, u.status().name());
            ps.setString(2, u.received() == null ? null : u.received().sha256());
            ps.setString(3, Json.write(u));
            ps.setString(4, u.uploadId());
            ps.setString(5, expected.name());
            return ps.executeUpdate() == 1;
        }
    }

    private String stamp() {
        return now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static String clip(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
