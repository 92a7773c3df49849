package dev.loupe.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A command's arguments split into positionals, flags with a value ({@code --limit 5} or
 * {@code --limit=5}) and switches ({@code --json}). Only the flags a command declares are
 * accepted, so a typo is a usage error rather than a silently ignored option. Each command
 * turns this into its own options record; nothing else reads it.
 */
final class Args {
    /** Longest argument accepted: a query text or a filter, not a file's contents. */
    static final int MAX_ARGUMENT_CHARS = 64 * 1024;

    private final List<String> positionals;
    private final Map<String, String> values;
    private final Set<String> switches;

    private Args(List<String> positionals, Map<String, String> values, Set<String> switches) {
        this.positionals = positionals;
        this.values = values;
        this.switches = switches;
    }

    static Args parse(List<String> args, Set<String> valueFlags, Set<String> switchFlags) {
        List<String> positionals = new ArrayList<>();
        Map<String, String> values = new HashMap<>();
        Set<String> switches = new HashSet<>();
        boolean onlyPositionals = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.length() > MAX_ARGUMENT_CHARS) throw new UsageException("an argument is longer than " + MAX_ARGUMENT_CHARS + " characters");
            if (onlyPositionals || !a.startsWith("--") || a.equals("-")) {
                positionals.add(a);
                continue;
            }
            if (a.equals("--")) {
                onlyPositionals = true;
                continue;
            }
            int eq = a.indexOf('=');
            String name = eq < 0 ? a : a.substring(0, eq);
            if (valueFlags.contains(name)) {
                String value;
                if (eq >= 0) {
                    value = a.substring(eq + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageException(name + " needs a value");
                }
                if (values.put(name, value) != null) throw new UsageException(name + " is given twice");
            } else if (switchFlags.contains(name) && eq < 0) {
                switches.add(name);
            } else {
                throw new UsageException("unknown option " + name);
            }
        }
        return new Args(List.copyOf(positionals), Map.copyOf(values), Set.copyOf(switches));
    }

    List<String> positionals() {
        return positionals;
    }

    Optional<String> value(String flag) {
        return Optional.ofNullable(values.get(flag));
    }

    boolean has(String flag) {
        return switches.contains(flag);
    }

    /** An integer flag within {@code [min, max]}, or {@code fallback} when absent. */
    int integer(String flag, int min, int max, int fallback) {
        Optional<String> v = value(flag);
        if (v.isEmpty()) return fallback;
        int n;
        try {
            n = Integer.parseInt(v.get().strip());
        } catch (NumberFormatException e) {
            throw new UsageException(flag + ": expected a whole number, got '" + v.get() + "'");
        }
        if (n < min || n > max) throw new UsageException(flag + ": must be between " + min + " and " + max + ", got " + n);
        return n;
    }
}
