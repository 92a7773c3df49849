package dev.loupe.upload;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One presigned upload: what the client declared when it asked for the URL, what the PUT
 * delivered ({@link Received}, null before), and how confirmation ended.
 *
 * @param fileSizeBytes   the declared size, if any: the PUT must deliver exactly that many bytes
 * @param fileHash        the declared SHA-256, if any: confirmation checks the bytes against it
 * @param duplicateOf     the completed upload with the same content this one was folded into
 */
public record Upload(String uploadId, String namespaceId, String bucketId, String filename, String contentType,
                     Long fileSizeBytes, int expirationSeconds, String expiresAt, UploadStatus status, JsonNode metadata,
                     boolean createObjectOnConfirm, JsonNode objectMetadata, String blobProperty, String blobType,
                     String fileHash, boolean skipDuplicates, Received received, String duplicateOf, String objectId,
                     String error, String createdAt, String completedAt) {

    /** The bytes a PUT delivered: their SHA-256 (the blob's name), MD5 (the ETag, as S3 gives) and length. */
    public record Received(String sha256, String md5, long sizeBytes, String at) {
    }

    /** The largest body the presigned URL accepts: the declared size, or else the server's blob bound. */
    long maxBytes(long maxBlobBytes) {
        return fileSizeBytes == null ? maxBlobBytes : fileSizeBytes;
    }

    /** The status as a reader sees it at {@code now}: a URL past its expiry with no bytes is EXPIRED. */
    public UploadStatus statusAt(Instant now) {
        boolean waiting = status == UploadStatus.PENDING || status == UploadStatus.RECEIVING;
        return waiting && now.isAfter(Instant.parse(expiresAt)) ? UploadStatus.EXPIRED : status;
    }

    Upload with(UploadStatus s) {
        return new Upload(uploadId, namespaceId, bucketId, filename, contentType, fileSizeBytes, expirationSeconds, expiresAt, s,
                metadata, createObjectOnConfirm, objectMetadata, blobProperty, blobType, fileHash, skipDuplicates, received,
                duplicateOf, objectId, error, createdAt, completedAt);
    }

    Upload withReceived(Received r) {
        return new Upload(uploadId, namespaceId, bucketId, filename, contentType, fileSizeBytes, expirationSeconds, expiresAt,
                UploadStatus.UPLOADED, metadata, createObjectOnConfirm, objectMetadata, blobProperty, blobType, fileHash,
                skipDuplicates, r, duplicateOf, objectId, error, createdAt, completedAt);
    }

    Upload completed(String object, String duplicate, String at) {
        return new Upload(uploadId, namespaceId, bucketId, filename, contentType, fileSizeBytes, expirationSeconds, expiresAt,
                UploadStatus.COMPLETED, metadata, createObjectOnConfirm, objectMetadata, blobProperty, blobType, fileHash,
                skipDuplicates, received, duplicate, object, null, createdAt, at);
    }

    Upload failed(String reason) {
        return new Upload(uploadId, namespaceId, bucketId, filename, contentType, fileSizeBytes, expirationSeconds, expiresAt,
                UploadStatus.FAILED, metadata, createObjectOnConfirm, objectMetadata, blobProperty, blobType, fileHash,
                skipDuplicates, received, duplicateOf, objectId, reason, createdAt, completedAt);
    }
}
