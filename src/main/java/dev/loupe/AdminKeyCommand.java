package dev.loupe;

import dev.loupe.auth.ApiKeys;
import dev.loupe.cli.CliException;
import dev.loupe.cli.OfflineKeys;
import dev.loupe.config.Settings;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;

/**
 * {@code loupe admin-key reset [--data-dir DIR]}: for an operator who lost the admin key.
 * It revokes every admin key and prints a new one, with the server stopped: it takes the
 * data directory's lock, so it refuses while a Loupe runs there. With {@code --catalog-url} it
 * resets the keys of that shared catalog instead, while its nodes run.
 */
final class AdminKeyCommand {
    private AdminKeyCommand() {}

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length == 0 || !args[0].equals("reset")) {
            err.println("usage: loupe admin-key reset [--data-dir DIR | --catalog-url URL]   (revokes every admin key and prints a new one;"
                    + " stop Loupe first, unless the catalog is shared)");
            return 2;
        }
        Settings settings;
        try {
            settings = Settings.from(Arrays.copyOfRange(args, 1, args.length), env);
        } catch (IllegalArgumentException e) {
            err.println("loupe: " + e.getMessage());
            return 2;
        }
        // With --catalog-url, the shared catalog's keys while its nodes run; else the stopped data directory's.
        OfflineKeys offline;
        try {
            offline = OfflineKeys.open(settings.catalog(), settings.dataDir());
        } catch (RuntimeException e) {
            err.println("loupe: " + e.getMessage());
            return 1;
        }
        try (offline) {
            return printed(offline.keys().resetAdmin(), offline.where(), settings, out);
        }
    }

    private static int printed(ApiKeys.ResetAdmin reset, String where, Settings settings, PrintStream out) {
        out.println("Revoked " + reset.revoked() + " admin key(s) in " + where + ".");
        out.println("New admin API key (shown once, store it now): " + reset.key().secret());
        out.println("  use it as: Authorization: Bearer " + reset.key().secret());
        if (settings.adminKey().isPresent()) {
            out.println("The configured admin key (--admin-key / LOUPE_ADMIN_KEY) is revoked too: remove it from the configuration.");
        }
        return 0;
    }
}
