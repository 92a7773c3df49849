package dev.loupe.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code loupe ingest|search|status|keys}: the commands that talk to a running Loupe (and
 * {@code keys --data-dir}, which works on a stopped one's data directory). Global flags
 * {@code --url}, {@code --key} and {@code --namespace} may stand anywhere on the line; each
 * falls back to {@code LOUPE_URL}, {@code LOUPE_API_KEY} and {@code LOUPE_NAMESPACE}.
 *
 * <p>Exit codes: {@value #OK} done, {@value #FAILED} refused or failed (one line on stderr,
 * never a stack trace), {@value #USAGE} the command line is wrong (with the command's usage).
 */
public final class Cli {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    /** Width assumed when {@code COLUMNS} does not say (output piped, or a shell that does not export it). */
    static final int DEFAULT_WIDTH = 120;

    private Cli() {}

    /** The commands, each with the one-line summary {@code loupe help} shows. */
    enum Command {
        INGEST("ingest", "upload files or URLs into a bucket and follow their processing"),
        SEARCH("search", "search a collection by text or by an image"),
        STATUS("status", "queue depth, tasks in progress, documents per collection"),
        KEYS("keys", "create, list and revoke API keys (also offline, with --data-dir or --catalog-url)");

        final String word;
        final String summary;

        Command(String word, String summary) {
            this.word = word;
            this.summary = summary;
        }

        static Optional<Command> of(String word) {
            for (Command c : values()) if (c.word.equals(word)) return Optional.of(c);
            return Optional.empty();
        }
    }

    /** What a command receives: its own arguments, the connection, where to print, and the terminal's width. */
    record Invocation(List<String> args, ServerConnection server, PrintStream out, PrintStream err, int width) {
    }

    /** {@code args}: the command word and its arguments ({@code search "red bag" --collection products}), global flags anywhere among them. */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        Global global;
        try {
            global = Global.extract(args);
        } catch (UsageException e) {
            err.println("loupe: " + e.getMessage() + "\n\n" + usage());
            return USAGE;
        }
        List<String> line = global.rest();
        if (line.isEmpty() || line.getFirst().equals("--help") || line.getFirst().equals("-h")) {
            (line.isEmpty() ? err : out).println(usage());
            return line.isEmpty() ? USAGE : OK;
        }
        Optional<Command> command = Command.of(line.getFirst());
        if (command.isEmpty()) {
            err.println("loupe: unknown command '" + line.getFirst() + "'\n\n" + usage());
            return USAGE;
        }
        List<String> rest = line.subList(1, line.size());
        if (rest.contains("--help") || rest.contains("-h")) {
            out.println(help(command.get()));
            return OK;
        }
        try {
            ServerConnection server = ServerConnection.resolve(global.url(), global.key(), global.namespace(), env);
            Invocation call = new Invocation(rest, server, out, err, width(env));
            return switch (command.get()) {
                case INGEST -> IngestCommand.run(call.args(), call.server(), out, err);
                case SEARCH -> SearchCommand.run(call);
                case STATUS -> StatusCommand.run(call);
                case KEYS -> KeysCommand.run(call, env);
            };
        } catch (UsageException e) {
            err.println("loupe " + command.get().word + ": " + e.getMessage() + "\n\n" + help(command.get()));
            return USAGE;
        } catch (CliException e) {
            err.println("loupe: " + e.getMessage());
            return FAILED;
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            // A data directory that cannot be read or written (keys --data-dir): the reason, in one line.
            err.println("loupe: " + e.getMessage());
            return FAILED;
        }
    }

    /** The global flags, wherever they stand, and what is left for the command. */
    private record Global(Optional<String> url, Optional<String> key, Optional<String> namespace, List<String> rest) {
        static Global extract(List<String> args) {
            String url = null;
            String key = null;
            String namespace = null;
            List<String> rest = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.equals("--")) {
                    rest.addAll(args.subList(i, args.size()));
                    break;
                }
                int eq = a.indexOf('=');
                String name = eq < 0 ? a : a.substring(0, eq);
                if (!name.equals("--url") && !name.equals("--key") && !name.equals("--namespace")) {
                    rest.add(a);
                    continue;
                }
                String value;
                if (eq >= 0) value = a.substring(eq + 1);
                else if (i + 1 < args.size()) value = args.get(++i);
                else throw new UsageException(name + " needs a value");
                if (value.isBlank()) throw new UsageException(name + " needs a value");
                switch (name) {
                    case "--url" -> url = value;
                    case "--key" -> key = value;
                    default -> namespace = value;
                }
            }
            return new Global(Optional.ofNullable(url), Optional.ofNullable(key), Optional.ofNullable(namespace), List.copyOf(rest));
        }
    }

    private static int width(Map<String, String> env) {
        try {
            int columns = Integer.parseInt(env.getOrDefault("COLUMNS", "").strip());
            return columns >= 40 && columns <= 1000 ? columns : DEFAULT_WIDTH;
        } catch (NumberFormatException e) {
            return DEFAULT_WIDTH;
        }
    }

    static final String GLOBAL_FLAGS = """
            Every command:
              --url URL          the Loupe to talk to (LOUPE_URL; default %s)
              --key KEY          API key (LOUPE_API_KEY)
              --namespace NS     namespace id or name (LOUPE_NAMESPACE; default: the server's default)""".formatted(ServerConnection.DEFAULT_URL);

    /** Every command in a line each, for {@code loupe help} and a bare {@code loupe}. */
    public static String usage() {
        StringBuilder b = new StringBuilder();
        for (Command c : Command.values()) b.append(String.format("  loupe %-8s %s%n", c.word, c.summary));
        return b + "\n" + GLOBAL_FLAGS + "\n\n`loupe COMMAND --help` explains one command. Exit codes: 0 done, 1 refused or failed, 2 wrong usage.";
    }

    static String help(Command c) {
        String body = switch (c) {
            case INGEST -> IngestCommand.usage();
            case SEARCH -> SearchCommand.HELP;
            case STATUS -> StatusCommand.HELP;
            case KEYS -> KeysCommand.HELP;
        };
        return body + "\n\n" + GLOBAL_FLAGS;
    }
}
