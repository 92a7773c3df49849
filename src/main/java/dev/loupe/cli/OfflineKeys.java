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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The API keys of a stopped Loupe's data directory, opened under the directory's lock so that
 * nothing writes under a running server (which would also keep its own cached view). Used by
 * {@code loupe keys ... --data-dir} and {@code loupe admin-key reset}.
 */
public final class OfflineKeys implements AutoCloseable {
    private final Path data;
    private final DataDirLock lock;
    private final Database database;
    private final ApiKeys keys;

    private OfflineKeys(Path data, DataDirLock lock, Database database) {
        this.data = data;
        this.lock = lock;
        this.database = database;
        this.keys = new ApiKeys(database);
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
            return new OfflineKeys(data, lock, new Database(catalog));
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    public ApiKeys keys() {
        return keys;
    }

    KeysCommand.Created create(String name, boolean admin, List<String> namespaceRefs) {
        Catalog catalog = new Catalog(database);
        List<String> namespaces = new ArrayList<>();
        for (String ref : namespaceRefs) {
            Namespace ns = catalog.find(Kind.NAMESPACE, null, ref)
                    .orElseThrow(() -> new CliException("--namespaces: no namespace '" + ref + "' in " + data));
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
            lock.close();
        }
    }
}
