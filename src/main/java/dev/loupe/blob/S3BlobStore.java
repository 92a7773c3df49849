package dev.loupe.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Content-addressed objects in one S3 bucket: key {@code <prefix>ab/abcdef….<ext>}, the same
 * name {@link FileBlobStore} gives the file. S3 makes an object visible only once its upload
 * completes, which gives the no-partial-content promise the file store gets from a rename; a
 * put of content already stored is one {@code HEAD} and no upload. A stream is hashed into a
 * temporary file under the spool directory first (its name is its hash, which is known only at
 * the end), then uploaded with its {@code Content-MD5}, so the store checks the bytes it got.
 * One {@code PutObject} carries up to 5 GiB, far above {@code --max-blob-bytes}' range, so
 * there is no multipart upload.
 *
 * <p>Every failure is an {@link UncheckedIOException} (or {@link IOException} from the stream
 * put) naming {@code s3://bucket/key} and the cause: the store's status and error code, or why
 * no answer came (connection refused, timeout).
 */
public final class S3BlobStore implements BlobStore {
    private static final Pattern PREFIX = Pattern.compile("([a-z0-9][a-z0-9._-]*/)*");

    private final S3Client client;
    private final String bucket;
    private final String prefix;
    private final Path spool;

    /**
     * A store under {@code prefix} ({@code thumbnails/}, say: empty, or segments each ending in
     * {@code /}) of {@code bucket}, spooling streams to {@code spool}. The client is the caller's
     * to close; several stores may share one.
     */
    public S3BlobStore(S3Client client, String bucket, String prefix, Path spool) {
        if (!PREFIX.matcher(prefix).matches()) throw new IllegalArgumentException("an S3 key prefix is empty or ends in '/', got: " + prefix);
        this.client = client;
        this.bucket = bucket;
        this.prefix = prefix;
        this.spool = spool;
    }

    /**
     * A client for {@code settings}: path-style requests over the JDK's HTTP connection, and
     * checksums only where S3 requires them, since S3-compatible stores do not all accept the
     * trailing CRC32 checksums the SDK sends to AWS by default.
     */
    public static S3Client client(S3Settings settings) {
        AwsCredentialsProvider credentials = settings.credentials()
                .<AwsCredentialsProvider>map(c -> StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(60)))
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        settings.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** Fails, naming the bucket and why, unless the bucket exists and these credentials reach it: checked at start-up. */
    public void checkBucket() {
        try {
            client.headBucket(b -> b.bucket(bucket));
        } catch (SdkException e) {
            throw unchecked("S3 bucket " + bucket + " cannot be used" + because(e), e);
        }
    }

    @Override
    public String put(byte[] bytes, String extension) {
        String sha = BlobStore.sha256(bytes);
        String key = key(new BlobName(sha, extension));
        try {
            if (!exists(key)) {
                client.putObject(request(key, bytes.length, HexFormat.of().formatHex(Spool.digest("MD5").digest(bytes))),
                        RequestBody.fromBytes(bytes));
            }
        } catch (SdkException e) {
            throw unchecked("cannot store blob " + where(key) + because(e), e);
        }
        return sha;
    }

    @Override
    public Stored put(InputStream in, long minBytes, long maxBytes, String extension) throws IOException {
        Spool spooled = Spool.of(in, minBytes, maxBytes, spool);
        try {
            Stored stored = spooled.stored();
            String key = key(new BlobName(stored.sha256(), extension));
            try {
                if (!exists(key)) client.putObject(request(key, stored.sizeBytes(), stored.md5()), RequestBody.fromFile(spooled.file()));
            } catch (SdkException e) {
                throw new IOException("cannot store blob " + where(key) + because(e), e);
            }
            return stored;
        } finally {
            Files.deleteIfExists(spooled.file());
        }
    }

    private PutObjectRequest request(String key, long length, String md5Hex) {
        return PutObjectRequest.builder().bucket(bucket).key(key).contentLength(length)
                .contentMD5(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(md5Hex))).build();
    }

    private boolean exists(String key) {
        try {
            client.headObject(b -> b.bucket(bucket).key(key));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) return false;
            throw e;
        }
    }

    @Override
    public byte[] read(String sha, String extension) {
        String key = key(new BlobName(sha, extension));
        try {
            return client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
        } catch (NoSuchKeyException e) {
            throw unchecked("stored blob " + sha + " is missing: no object " + where(key), e);
        } catch (SdkException e) {
            throw unchecked("stored blob " + sha + " cannot be read from " + where(key) + because(e), e);
        }
    }

    @Override
    public Optional<InputStream> lookup(String sha, String extension) {
        Optional<BlobName> name = BlobName.ofUntrusted(sha, extension);
        if (name.isEmpty()) return Optional.empty();
        String key = key(name.get());
        try {
            ResponseInputStream<GetObjectResponse> object = client.getObject(b -> b.bucket(bucket).key(key));
            return Optional.of(object);
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw unchecked("stored blob " + sha + " cannot be read from " + where(key) + because(e), e);
        }
    }

    /** The message once, at the top, rather than {@code java.io.IOException: …} from the cause's {@code toString}. */
    private static UncheckedIOException unchecked(String message, SdkException e) {
        return new UncheckedIOException(message, new IOException(message, e));
    }

    private String key(BlobName name) {
        return prefix + name.relative();
    }

    private String where(String key) {
        return "s3://" + bucket + "/" + key;
    }

    /** The store's answer (status, error code, message) or, when none came, the client's reason. */
    private static String because(SdkException e) {
        if (e instanceof S3Exception s3 && s3.awsErrorDetails() != null) {
            var details = s3.awsErrorDetails();
            // A HEAD's answer has no body, so a refused HEAD may carry no error code or message.
            String code = details.errorCode() == null ? "" : " " + details.errorCode();
            String message = details.errorMessage() == null ? "" : ": " + details.errorMessage();
            String hint = s3.statusCode() == 403 ? "; are the keys right, and allowed on this bucket?" : "";
            return " (S3 answered " + s3.statusCode() + code + message + hint + ")";
        }
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
        return " (" + e.getMessage() + (cause != e ? "; " + cause : "") + ")";
    }
}
