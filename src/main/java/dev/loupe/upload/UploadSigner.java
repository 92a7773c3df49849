package dev.loupe.upload;

import dev.loupe.catalog.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs presigned upload URLs: HMAC-SHA256 over the upload id, the expiry and the largest body
 * accepted, with a secret only this server holds. The signature is the URL's whole authority,
 * so none of the three can be changed without it failing.
 *
 * <p>The secret is {@value #FILE} in the data directory: 32 random bytes, created once with
 * mode 0600 (written under a temporary name and linked into place, so two starts cannot each
 * install their own and a crash leaves no half-written secret).
 *
 * <p>With a shared catalog (PostgreSQL, several nodes) the secret is the catalog's instead
 * ({@link #inCatalog}): a URL signed by one node is PUT to whichever node the load balancer
 * picks, so every node must hold the same secret. Whoever can read the catalog can then sign
 * uploads, which adds nothing to what catalog access allows already (it holds the uploads).
 */
public final class UploadSigner {
    static final String FILE = "upload-signing.key";
    static final String META_KEY = "upload_signing_key";
    private static final Pattern HEX_KEY = Pattern.compile("[0-9a-f]{64}");

    private final byte[] secret;

    UploadSigner(byte[] secret) {
        if (secret.length < 32) throw new IllegalArgumentException("an upload signing secret needs at least 32 bytes");
        this.secret = secret.clone();
    }

    /** The secret of this node: the catalog's when it is shared by several nodes, else the data directory's. */
    public static UploadSigner forNode(Database db, Path dataDir) {
        return db.dialect().shared() ? inCatalog(db) : inDirectory(dataDir);
    }

    /**
     * The catalog's secret, row {@value #META_KEY} of its {@code meta} table, created on first use.
     * Two nodes starting at once each offer a random secret; {@code ON CONFLICT DO NOTHING} keeps the
     * first one committed and both read that one back, so they agree.
     */
    public static UploadSigner inCatalog(Database db) {
        byte[] offered = new byte[32];
        new SecureRandom().nextBytes(offered);
        // READ COMMITTED: the insert that lost waits for the winner's commit, and the read after it sees
        // that row (a serializable snapshot would not, and only a retry would).
        String text = db.inTransaction(Database.Isolation.READ_COMMITTED, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")) {
                ps.setString(1, META_KEY);
                ps.setString(2, HexFormat.of().formatHex(offered));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
                ps.setString(1, META_KEY);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw new IllegalStateException("the catalog's meta table lost row " + META_KEY + " as it was written");
                    return rs.getString(1).strip();
                }
            }
        });
        if (!HEX_KEY.matcher(text).matches()) {
            throw new IllegalStateException("the catalog's meta row " + META_KEY + " is not an upload signing key (64 hex digits);"
                    + " delete that row and restart to make a new one (outstanding upload URLs then stop working)");
        }
        return new UploadSigner(HexFormat.of().parseHex(text));
    }

    /** The data directory's secret, created on first use. */
    public static UploadSigner inDirectory(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (!Files.exists(file)) create(file);
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (!HEX_KEY.matcher(text).matches()) {
                throw new IllegalStateException(file + " is not an upload signing key (64 hex digits); delete it and"
                        + " restart to make a new one (outstanding upload URLs then stop working)");
            }
            return new UploadSigner(HexFormat.of().parseHex(text));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the upload signing key " + file, e);
        }
    }

    private static void create(Path file) throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path tmp = file.resolveSibling(FILE + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp); // not a POSIX file system: its own access rules apply
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap((HexFormat.of().formatHex(key) + "\n").getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
            }
            try {
                Files.createLink(file, tmp);
            } catch (FileAlreadyExistsException e) {
                // Another start won the race: its key is the one.
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The signature of a URL allowing {@code uploadId} until {@code expiresEpochSecond}, for at most {@code maxBytes}. */
    public String sign(String uploadId, long expiresEpochSecond, long maxBytes) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            String message = uploadId + "\n" + expiresEpochSecond + "\n" + maxBytes;
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** Whether {@code signature} is this server's for these values, compared in constant time. */
    public boolean verify(String uploadId, long expiresEpochSecond, long maxBytes, String signature) {
        if (signature == null) return false;
        byte[] expected = sign(uploadId, expiresEpochSecond, maxBytes).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }
}
