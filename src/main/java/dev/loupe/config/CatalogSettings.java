package dev.loupe.config;

import dev.loupe.catalog.PostgresOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the catalog and work queue live: the data directory's SQLite file (no {@code postgres}),
 * or a PostgreSQL server that several nodes share, each with its own {@code nodeId}.
 *
 * @param postgres the server, when {@code --catalog-url} is set
 * @param nodeId   this node's id on a shared catalog ({@code --node-id}); empty: hostname and a random suffix
 */
public record CatalogSettings(Optional<PostgresOptions> postgres, Optional<String> nodeId) {
    public static final String PASSWORD_ENV = "LOUPE_CATALOG_PASSWORD";
    public static final CatalogSettings SQLITE = new CatalogSettings(Optional.empty(), Optional.empty());
    private static final long MAX_PASSWORD_FILE_BYTES = 4096;

    /** From the {@code catalog-*} and {@code node-id} flags ({@code option}, null when unset) and the environment. */
    public static CatalogSettings from(Function<String, String> option, Function<String, String> env) {
        Optional<String> nodeId = Optional.ofNullable(option.apply("node-id")).map(String::strip);
        String url = option.apply("catalog-url");
        if (url == null) {
            for (String flag : new String[] {"catalog-password-file", "catalog-pool-size"}) {
                if (option.apply(flag) != null) throw new IllegalArgumentException("--" + flag + " needs --catalog-url (LOUPE_CATALOG_URL)");
            }
            return new CatalogSettings(Optional.empty(), nodeId);
        }
        String file = option.apply("catalog-password-file");
        String password = file != null ? readPassword(Path.of(file)) : env.apply(PASSWORD_ENV);
        String size = option.apply("catalog-pool-size");
        int poolSize;
        try {
            poolSize = size == null ? PostgresOptions.DEFAULT_POOL_SIZE : Integer.parseInt(size.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--catalog-pool-size (LOUPE_CATALOG_POOL_SIZE) must be a whole number, got: " + size);
        }
        return new CatalogSettings(Optional.of(new PostgresOptions(url.strip(), password, poolSize)), nodeId);
    }

    private static String readPassword(Path path) {
        try {
            if (Files.size(path) > MAX_PASSWORD_FILE_BYTES) {
                throw new IllegalArgumentException("--catalog-password-file " + path + " is larger than " + MAX_PASSWORD_FILE_BYTES + " bytes: is it the password?");
            }
            return Files.readString(path, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --catalog-password-file " + path + ": " + e.getMessage(), e);
        }
    }
}
