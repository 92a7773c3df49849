package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.loupe.DataDirLock;
import dev.loupe.api.Json;
import dev.loupe.auth.ApiKey;
import dev.loupe.auth.ApiKeys;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Database;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.Namespace;
import dev.loupe.catalog.PostgresOptions;
import dev.loupe.config.CatalogSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The API keys of a catalog, opened directly rather than through a server: a stopped Loupe's
 * data directory, under the directory's lock so that nothing writes under a running server; or a
 * shared PostgreSQL catalog ({@code --catalog-url}), while its nodes run, since none caches keys
 * (a change holds on every node at once). Used by {@code loupe keys ... --data-dir|--catalog-url}
 * and {@code loupe admin-key reset}.
 */
public final class OfflineKeys implements AutoCloseable {
    private final String where;
    private final DataDirLock lock;
    private final Database database;
    private final ApiKeys keys;

    private OfflineKeys(String where, DataDirLock lock, Database database) {
        this.where = where;
        this.lock = lock;
        this.database = database;
        this.keys = new ApiKeys(database);
    }

    /** The keys of {@code catalog}'s shared PostgreSQL server when it names one, else of {@code data}'s SQLite file ({@link #open(Path)}). */
    public static OfflineKeys open(CatalogSettings catalog, Path data) {
        if (catalog.postgres().isEmpty()) return open(data);
        PostgresOptions shared = catalog.postgres().get();
        return new OfflineKeys("the catalog " + shared.redactedUrl(), null, Database.postgres(shared));
    }

    /** Opens {@code data}'s catalog, refusing (a {@link CliException}) where there is none or a Loupe holds the directory. */
    public static OfflineKeys open(Path data) {
        Path catalog = data.resolve("catalog.db");
        if (!Files.isRegularFile(catalog)) {
            throw new CliException("no Loupe data in " + data + " (" + catalog + " is missing); the first `./loupe serve` there prints an admin key");
        }
        DataDirLock lock;
        try {
            lock = DataDirLock.acquire(data);
        } catch (IllegalStateException e) {
            throw new CliException("a Loupe is running on " + data + "; stop it first (while it runs, manage keys through its API: leave out --data-dir)");
        }
        try {
            return new OfflineKeys(data.toString(), lock, new Database(catalog));
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Where the keys are, for messages: the data directory, or the catalog's URL without its password. */
    public String where() {
        return where;
    }

    public ApiKeys keys() {
        return keys;
    }

    KeysCommand.Created create(String name, boolean admin, List<String> namespaceRefs) {
        Catalog catalog = new Catalog(database);
        List<String> namespaces = new ArrayList<>();
        for (String ref : namespaceRefs) {
            Namespace ns = catalog.find(Kind.NAMESPACE, null, ref)
                    .orElseThrow(() -> new CliException("--namespaces: no namespace '" + ref + "' in " + where));
            namespaces.add(ns.namespaceId());
        }
        return KeysCommand.Created.of(keys.create(name, admin, namespaces));
    }

    List<ApiKey> list() {
        return keys.list();
    }

    boolean revoke(String idOrName) {
        return keys.revoke(idOrName);
    }

    static JsonNode views(List<ApiKey> list) {
        ArrayNode out = Json.array();
        for (ApiKey k : list) out.add(k.view());
        return out;
    }

    @Override
    public void close() {
        try {
            database.close();
        } finally {
            if (lock != null) lock.close();
        }
    }
}
