package dev.loupe.testing.engines;

import dev.loupe.blob.S3Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * S3Proxy on loopback, an S3 API over a local directory ({@code jclouds.provider=filesystem}):
 * a bucket is a subdirectory of {@link #baseDir}, an object a file below it, so a test can see
 * exactly what was stored. Requests are signed (AWS v2 or v4) with {@link #ACCESS_KEY_ID} and
 * {@link #SECRET_ACCESS_KEY}, as a real store wants.
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY_ID = "loupe-test";
    public static final String SECRET_ACCESS_KEY = "loupe-test-secret-0123456789";

    private final EngineProcess process;
    private final Path baseDir;
    private final int port;

    private S3Server(EngineProcess process, Path baseDir, int port) {
        this.process = process;
        this.baseDir = baseDir;
        this.port = port;
    }

    /** Starts S3Proxy keeping its buckets under {@code dir/buckets}; returns once it listens. */
    public static S3Server start(Path dir) {
        int port = EngineProcess.freePort();
        Path baseDir = dir.resolve("buckets");
        Path properties = dir.resolve("s3proxy.properties");
        Path logging = dir.resolve("s3proxy-logback.xml");
        try {
            Files.createDirectories(baseDir);
            // Logback's default is DEBUG for every request: megabytes of log per test class.
            Files.writeString(logging, """
                    <configuration>
                      <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
                      </appender>
                      <root level="INFO"><appender-ref ref="out"/></root>
                    </configuration>
                    """, StandardCharsets.UTF_8);
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY_ID,
                    "s3proxy.credential=" + SECRET_ACCESS_KEY,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + baseDir,
                    "jclouds.identity=" + ACCESS_KEY_ID,
                    "jclouds.credential=" + SECRET_ACCESS_KEY, ""), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EngineProcess p = EngineProcess.java("s3proxy", "s3proxy", List.of("-Xmx512m", "-Dlogback.configurationFile=" + logging),
                "org.gaul.s3proxy.Main", List.of("--properties", properties.toString()), dir);
        try {
            p.awaitPort(port, Duration.ofSeconds(90));
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return new S3Server(p, baseDir, port);
    }

    /** Makes an empty bucket: with the filesystem provider, a directory under {@link #baseDir}. */
    public String createBucket(String name) {
        try {
            Files.createDirectories(baseDir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return name;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Settings reaching {@code bucket} of this server with its keys. */
    public S3Settings settings(String bucket) {
        return new S3Settings(Optional.of(endpoint()), S3Settings.DEFAULT_REGION, bucket,
                Optional.of(new S3Settings.Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY)));
    }

    /** A key file as {@code --s3-access-key-file} reads it, written into {@code dir}. */
    public Path keyFile(Path dir) {
        try {
            return Files.writeString(dir.resolve("s3-keys"), ACCESS_KEY_ID + "\n" + SECRET_ACCESS_KEY + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flags of {@code loupe serve} that store blobs in {@code bucket} of this server. */
    public List<String> flags(String bucket, Path keyFile) {
        return List.of("--blob-store", "s3", "--s3-endpoint", endpoint().toString(), "--s3-bucket", bucket,
                "--s3-access-key-file", keyFile.toString());
    }

    /** Where the filesystem backend keeps the buckets' objects: {@code <baseDir>/<bucket>/<key>}. */
    public Path baseDir() {
        return baseDir;
    }

    public EngineProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.close();
    }
}
