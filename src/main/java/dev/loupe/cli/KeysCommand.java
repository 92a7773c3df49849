package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.auth.ApiKey;
import dev.loupe.config.CatalogSettings;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code loupe keys create|list|revoke}: through {@code /v1/api-keys} with an admin key while
 * Loupe runs, or with {@code --data-dir DIR} on the data directory of a stopped Loupe
 * ({@link OfflineKeys}), which is how a lost admin key is replaced.
 */
final class KeysCommand {
    static final String HELP = """
            Usage: loupe keys create NAME [--admin] [--namespaces NS1,NS2] [--data-dir DIR | --catalog-url URL]
                   loupe keys list [--json] [--data-dir DIR | --catalog-url URL]
                   loupe keys revoke KEY_ID|NAME [--data-dir DIR | --catalog-url URL]

              Manages API keys. Without --data-dir or --catalog-url it goes through the running
              server's API, with an admin --key. With --data-dir it works on that data directory
              directly, while Loupe is stopped (it refuses while a Loupe holds the directory): that
              is how a lost admin key is replaced (`loupe keys create rescue --admin --data-dir DIR`).
              With --catalog-url it works on that shared PostgreSQL catalog, while its nodes run.

              --admin            the new key may manage keys (and every namespace)
              --namespaces A,B   the new key may only use these namespaces (ids or names)
              --data-dir DIR     work on DIR's catalog instead of a running server
              --catalog-url URL  work on this PostgreSQL catalog (postgresql://user@host:5432/db); its
                                 password from --catalog-password-file FILE (or LOUPE_CATALOG_PASSWORD_FILE)
                                 or LOUPE_CATALOG_PASSWORD, as serve takes it
              --json             list as the API's JSON""";

    /** What the command was asked to do; the data directory or shared catalog, when given, replaces the server. */
    sealed interface Action {
        record Create(String name, boolean admin, List<String> namespaces) implements Action {
            public Create {
                if (name.isBlank() || name.length() > 200) throw new UsageException("a key's name is 1 to 200 characters");
                if (admin && !namespaces.isEmpty()) throw new UsageException("an admin key cannot be limited to namespaces");
                if (namespaces.size() > 100) throw new UsageException("--namespaces: at most 100");
            }
        }

        record ListKeys(boolean json) implements Action {
        }

        record Revoke(String key) implements Action {
        }
    }

    /** {@code catalog}: from {@code --catalog-url} and the password as serve reads it; SQLite when absent. */
    record Options(Action action, Optional<Path> dataDir, CatalogSettings catalog) {
        /** Offline: on a data directory or a shared catalog rather than through a server. */
        boolean offline() {
            return dataDir.isPresent() || catalog.postgres().isPresent();
        }

        static Options parse(List<String> args, Map<String, String> env) {
            Args a = Args.parse(args, Set.of("--namespaces", "--data-dir", "--catalog-url", "--catalog-password-file"), Set.of("--admin", "--json"));
            List<String> p = a.positionals();
            if (p.isEmpty()) throw new UsageException("say create, list or revoke");
            String verb = p.getFirst();
            Action action = switch (verb) {
                case "create" -> {
                    if (p.size() != 2) throw new UsageException("create takes one NAME");
                    List<String> namespaces = a.value("--namespaces").map(s -> List.of(s.split(","))).orElse(List.of()).stream()
                            .map(String::strip).filter(s -> !s.isEmpty()).toList();
                    yield new Action.Create(p.get(1), a.has("--admin"), namespaces);
                }
                case "list" -> {
                    if (p.size() != 1) throw new UsageException("list takes no arguments");
                    yield new Action.ListKeys(a.has("--json"));
                }
                case "revoke" -> {
                    if (p.size() != 2) throw new UsageException("revoke takes one KEY_ID or NAME");
                    yield new Action.Revoke(p.get(1));
                }
                default -> throw new UsageException("unknown keys command '" + verb + "' (create, list, revoke)");
            };
            if (!(action instanceof Action.Create) && (a.has("--admin") || a.value("--namespaces").isPresent())) {
                throw new UsageException("--admin and --namespaces go with create");
            }
            if (!(action instanceof Action.ListKeys) && a.has("--json")) throw new UsageException("--json goes with list");
            if (a.value("--data-dir").isPresent() && a.value("--catalog-url").isPresent()) {
                throw new UsageException("give --data-dir or --catalog-url, not both");
            }
            CatalogSettings catalog;
            try {
                // The URL only as a flag: a node's LOUPE_CATALOG_URL in the shell must not turn a server command offline.
                catalog = CatalogSettings.from(flag -> switch (flag) {
                    case "catalog-url" -> a.value("--catalog-url").orElse(null);
                    case "catalog-password-file" -> a.value("--catalog-password-file").orElse(env.get("LOUPE_CATALOG_PASSWORD_FILE"));
                    case "catalog-pool-size" -> a.value("--catalog-url").isPresent() ? "2" : null;
                    default -> null;
                }, env::get);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            return new Options(action, a.value("--data-dir").map(Path::of), catalog);
        }
    }

    private KeysCommand() {}

    static int run(Cli.Invocation call, Map<String, String> env) {
        Options o = Options.parse(call.args(), env);
        if (o.offline()) {
            try (OfflineKeys offline = OfflineKeys.open(o.catalog(), o.dataDir().orElse(null))) {
                return switch (o.action()) {
                    case Action.Create c -> created(call, offline.create(c.name(), c.admin(), c.namespaces()), " in " + offline.where());
                    case Action.ListKeys l -> listed(call, OfflineKeys.views(offline.list()), l.json());
                    case Action.Revoke r -> {
                        if (!offline.revoke(r.key())) throw new CliException("no active key '" + r.key() + "' in " + offline.where());
                        call.out().println("Revoked " + r.key() + " in " + offline.where() + ".");
                        yield Cli.OK;
                    }
                };
            }
        }
        ServerConnection server = call.server();
        return switch (o.action()) {
            case Action.Create c -> {
                ObjectNode body = Json.object().put("name", c.name()).put("admin", c.admin());
                ArrayNode ns = body.putArray("namespaces");
                c.namespaces().forEach(ns::add);
                JsonNode k = server.post("/v1/api-keys", body);
                yield created(call, new Created(k.path("key_id").asText(), k.path("name").asText(), k.path("admin").asBoolean(),
                        k.path("namespaces"), k.path("key").asText()), "");
            }
            case Action.ListKeys l -> listed(call, server.get("/v1/api-keys").path("results"), l.json());
            case Action.Revoke r -> {
                server.delete("/v1/api-keys/" + URLEncoder.encode(r.key(), StandardCharsets.UTF_8).replace("+", "%20"));
                call.out().println("Revoked " + r.key() + ".");
                yield Cli.OK;
            }
        };
    }

    /** A new key, wherever it was made: its secret is printed this once. */
    record Created(String keyId, String name, boolean admin, JsonNode namespaces, String secret) {
        static Created of(ApiKey.Created c) {
            return new Created(c.key().keyId(), c.key().name(), c.key().admin(), Json.tree(c.key().namespaces()), c.secret());
        }
    }

    private static int created(Cli.Invocation call, Created k, String where) {
        String scope = k.admin() ? "admin" : k.namespaces().isEmpty() ? "every namespace" : "namespaces " + Json.write(k.namespaces());
        call.out().println("Created API key " + k.keyId() + " '" + k.name() + "' (" + scope + ")" + where + ".");
        call.out().println("Secret (shown once, store it now): " + k.secret());
        return Cli.OK;
    }

    private static int listed(Cli.Invocation call, JsonNode keys, boolean json) {
        if (json) {
            call.out().println(Json.write(Json.object().set("results", keys)));
            return Cli.OK;
        }
        Table t = new Table(List.of(Table.Column.fixed("KEY_ID"), Table.Column.flexible("NAME"), Table.Column.fixed("PREFIX"),
                Table.Column.fixed("ADMIN"), Table.Column.flexible("NAMESPACES"), Table.Column.fixed("STATUS"), Table.Column.fixed("CREATED")));
        for (JsonNode k : keys) {
            List<String> ns = new java.util.ArrayList<>();
            k.path("namespaces").forEach(n -> ns.add(n.asText()));
            t.row(List.of(k.path("key_id").asText(), k.path("name").asText(), k.path("key_prefix").asText() + "…",
                    k.path("admin").asBoolean() ? "yes" : "no", ns.isEmpty() ? "(all)" : String.join(",", ns),
                    k.path("status").asText(), k.path("created_at").asText()));
        }
        t.render(call.width()).forEach(call.out()::println);
        return Cli.OK;
    }
}
