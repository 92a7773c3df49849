package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code loupe status}: the server's health, the ingestion queue (items waiting or being
 * processed in unfinished tasks), each unfinished task's progress, and the documents in each
 * collection, all read from Mixpeek's own endpoints ({@code /v1/health},
 * {@code /v1/tasks/list}, {@code /v1/namespaces/list}, {@code /v1/collections/list}).
 */
final class StatusCommand {
    static final String HELP = """
            Usage: loupe status [--json]

              The server's health, the ingestion queue (items waiting or in progress), every
              unfinished task with its progress, and the documents in each collection: of
              --namespace only when it is given, else of every namespace the key may use.

              --json             the same, as one JSON object""";

    /** Most list entries read per kind: a status is a glance, not an export. */
    static final int MAX_LISTED = 1000;

    private StatusCommand() {}

    /** A task not yet finished, as {@code /v1/tasks/list} describes it. */
    record Unfinished(String taskId, String type, String status, int total, int pending, int processing, int completed, int failed) {
        static Unfinished of(JsonNode t) {
            JsonNode d = t.path("additional_data");
            return new Unfinished(t.path("task_id").asText(), t.path("task_type").asText(), t.path("status").asText(),
                    d.path("total").asInt(), d.path("pending").asInt(), d.path("processing").asInt(),
                    d.path("completed").asInt(), d.path("failed").asInt());
        }

        String progress() {
            int finished = completed + failed;
            return finished + "/" + total + (total == 0 ? "" : String.format(Locale.ROOT, " (%d%%)", 100L * finished / total));
        }
    }

    record CollectionCount(String namespace, String collection, String extractor, long documents) {
    }

    static int run(Cli.Invocation call) {
        Args a = Args.parse(call.args(), Set.of(), Set.of("--json"));
        if (!a.positionals().isEmpty()) throw new UsageException("status takes no arguments, got '" + a.positionals().getFirst() + "'");
        ServerConnection server = call.server();
        JsonNode health = server.get("/v1/health");
        List<Unfinished> tasks = new ArrayList<>();
        for (String status : List.of("PROCESSING", "PENDING")) {
            for (JsonNode t : list(server, "/v1/tasks/list", Json.object().put("status", status))) tasks.add(Unfinished.of(t));
        }
        List<CollectionCount> collections = new ArrayList<>();
        List<String> namespaces = new ArrayList<>();
        if (server.namespace().isPresent()) {
            namespaces.add(server.namespace().get());
        } else {
            for (JsonNode ns : list(server, "/v1/namespaces/list", Json.object())) namespaces.add(ns.path("namespace_name").asText());
        }
        for (String ns : namespaces) {
            for (JsonNode c : list(server.inNamespace(ns), "/v1/collections/list", Json.object())) {
                collections.add(new CollectionCount(ns, c.path("collection_name").asText(),
                        c.path("feature_extractor").path("feature_extractor_name").asText(""), c.path("document_count").asLong()));
            }
        }
        long waiting = tasks.stream().mapToLong(Unfinished::pending).sum();
        long inProgress = tasks.stream().mapToLong(Unfinished::processing).sum();
        if (a.has("--json")) {
            var out = Json.object();
            out.put("server", server.base().toString());
            out.put("health", health.path("status").asText());
            out.set("health_errors", health.path("errors").isMissingNode() ? Json.object() : health.path("errors"));
            out.putObject("queue").put("waiting", waiting).put("in_progress", inProgress);
            out.set("tasks", Json.tree(tasks));
            out.set("collections", Json.tree(collections));
            call.out().println(Json.write(out));
            return Cli.OK;
        }
        PrintStream out = call.out();
        out.println("Loupe at " + server.base() + ": " + health.path("status").asText("?"));
        for (Map.Entry<String, JsonNode> e : health.path("errors").properties()) out.println("  " + e.getKey() + ": " + e.getValue().asText());
        out.println("Queue: " + waiting + " item(s) waiting, " + inProgress + " in progress, in " + tasks.size() + " unfinished task(s)");
        if (!tasks.isEmpty()) {
            out.println();
            Table t = new Table(List.of(Table.Column.fixed("TASK"), Table.Column.flexible("TYPE"), Table.Column.fixed("STATUS"),
                    Table.Column.number("DONE"), Table.Column.number("FAILED"), Table.Column.number("WAITING")));
            for (Unfinished u : tasks) {
                t.row(List.of(u.taskId(), u.type(), u.status(), u.progress(), String.valueOf(u.failed()), String.valueOf(u.pending())));
            }
            t.render(call.width()).forEach(out::println);
        }
        out.println();
        if (collections.isEmpty()) {
            out.println("No collections" + (server.namespace().map(ns -> " in namespace " + ns).orElse("")) + ".");
            return Cli.OK;
        }
        Table t = new Table(List.of(Table.Column.flexible("NAMESPACE"), Table.Column.flexible("COLLECTION"),
                Table.Column.flexible("EXTRACTOR"), Table.Column.number("DOCUMENTS")));
        for (CollectionCount c : collections) t.row(List.of(c.namespace(), c.collection(), c.extractor(), String.valueOf(c.documents())));
        t.render(call.width()).forEach(out::println);
        return Cli.OK;
    }

    /** Up to {@link #MAX_LISTED} results of a Mixpeek list endpoint, following its cursor. */
    private static List<JsonNode> list(ServerConnection server, String path, com.fasterxml.jackson.databind.node.ObjectNode body) {
        List<JsonNode> out = new ArrayList<>();
        String cursor = null;
        do {
            String query = "?limit=100" + (cursor == null ? "" : "&cursor=" + cursor);
            JsonNode page = server.post(path + query, body);
            page.path("results").forEach(out::add);
            cursor = page.path("pagination").path("next_cursor").asText(null);
        } while (cursor != null && !cursor.isEmpty() && out.size() < MAX_LISTED);
        return out.size() > MAX_LISTED ? out.subList(0, MAX_LISTED) : out;
    }
}
