package dev.loupe;

import dev.loupe.auth.ApiKeys;
import dev.loupe.catalog.Database;
import dev.loupe.catalog.PostgresOptions;
import dev.loupe.cli.CliException;
import dev.loupe.cli.OfflineKeys;
import dev.loupe.config.Settings;
import java.io.PrintStream;
import java.nio.file.Path;
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
            err.println("usage: loupe admin-key reset [--data-dir DIR]   (revokes every admin key and prints a new one; stop Loupe first)");
            return 2;
        }
        Settings settings;
        try {
            settings = Settings.from(Arrays.copyOfRange(args, 1, args.length), env);
        } catch (IllegalArgumentException e) {
            err.println("loupe: " + e.getMessage());
            return 2;
        }
        if (settings.catalog().postgres().isPresent()) {
            // A shared catalog: its nodes may keep running (none caches keys, so the reset holds on
            // each at once), and the data directory's SQLite file is not where their keys are.
            PostgresOptions catalog = settings.catalog().postgres().get();
            try (Database db = Database.postgres(catalog)) {
                return printed(new ApiKeys(db).resetAdmin(), "the catalog " + catalog.redactedUrl(), settings, out);
            } catch (RuntimeException e) {
                err.println("loupe: " + e.getMessage());
                return 1;
            }
        }
        Path data = settings.dataDir();
        OfflineKeys offline;
        try {
            offline = OfflineKeys.open(data);
        } catch (CliException e) {
            err.println("loupe: " + e.getMessage());
            return 1;
        }
        try (offline) {
            return printed(offline.keys().resetAdmin(), data.toString(), settings, out);
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
