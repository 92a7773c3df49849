package dev.loupe.provider;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The vision-language model an operator configured. Flags, each with its environment
 * variable ({@code --vlm-model} / {@code LOUPE_VLM_MODEL}); a flag wins:
 * <pre>
 *   --vlm-provider        openai | gemini | ollama   (unset: no provider, and none of the others may be set)
 *   --vlm-url             base URL; default https://api.openai.com/v1, https://generativelanguage.googleapis.com, http://localhost:11434
 *   --vlm-model           model name (required), e.g. gpt-4o-mini, gemini-2.5-flash, qwen2.5vl:7b
 *   --vlm-api-key-file    a file holding the key; or the variable LOUPE_VLM_API_KEY holds it (never a flag: flags show in ps)
 *   --vlm-timeout         seconds for a whole request (default 120)
 *   --vlm-connect-timeout seconds to connect (default 10)
 *   --vlm-concurrency     requests in flight at once (default 4)
 *   --vlm-max-attempts    attempts per request on 429, 5xx, timeouts (default 4)
 *   --vlm-image-max-side  long side in pixels images are scaled down to before sending (default 1024)
 * </pre>
 *
 * @param kind         the protocol
 * @param baseUrl      without a trailing slash; for OpenAI-compatible servers it includes {@code /v1}
 * @param model        the provider's model name
 * @param apiKey       OpenAI's {@code Authorization: Bearer}, Gemini's {@code x-goog-api-key}, a bearer token for an Ollama behind a proxy
 * @param imageMaxSide 64..{@value #MAX_IMAGE_SIDE}
 * @param calls        timeouts, concurrency, attempts
 */
public record ProviderSettings(Kind kind, URI baseUrl, String model, Optional<Secret> apiKey, int imageMaxSide, CallPolicy calls) {
    public static final int DEFAULT_IMAGE_MAX_SIDE = 1024;
    public static final int MAX_IMAGE_SIDE = 8192;
    static final int MAX_KEY_FILE_BYTES = 64 * 1024;
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}");
    static final List<String> FLAGS = List.of("vlm-provider", "vlm-url", "vlm-model", "vlm-api-key-file", "vlm-timeout",
            "vlm-connect-timeout", "vlm-concurrency", "vlm-max-attempts", "vlm-image-max-side");
    public static final String API_KEY_ENV = "LOUPE_VLM_API_KEY";

    /** The protocols, by the name {@code --vlm-provider} takes. */
    public enum Kind {
        OPENAI("openai", "openai-compatible", "https://api.openai.com/v1"),
        GEMINI("gemini", "gemini", "https://generativelanguage.googleapis.com"),
        OLLAMA("ollama", "ollama", "http://localhost:11434");

        public final String id;
        final String label;
        public final String defaultUrl;

        Kind(String id, String label, String defaultUrl) {
            this.id = id;
            this.label = label;
            this.defaultUrl = defaultUrl;
        }

        public static Kind named(String name) {
            for (Kind k : values()) if (k.id.equals(name.strip().toLowerCase(Locale.ROOT))) return k;
            throw new IllegalArgumentException("--vlm-provider (LOUPE_VLM_PROVIDER) must be openai, gemini or ollama, got: " + name);
        }
    }

    public ProviderSettings {
        Objects.requireNonNull(kind, "kind");
        baseUrl = baseUrl("--vlm-url (LOUPE_VLM_URL)", baseUrl);
        if (model == null || !MODEL_NAME.matcher(model).matches()) {
            throw new IllegalArgumentException("--vlm-model (LOUPE_VLM_MODEL) must name the model (letters, digits and ._:/@+-), got: " + model);
        }
        Objects.requireNonNull(apiKey, "apiKey");
        if (imageMaxSide < 64 || imageMaxSide > MAX_IMAGE_SIDE) {
            throw new IllegalArgumentException("--vlm-image-max-side (LOUPE_VLM_IMAGE_MAX_SIDE) must be 64.." + MAX_IMAGE_SIDE + ", got: " + imageMaxSide);
        }
        Objects.requireNonNull(calls, "calls");
    }

    /** Checks an http(s) base URL and drops its trailing slash; credentials in it would show in every description. */
    static URI baseUrl(String setting, URI url) {
        Objects.requireNonNull(url, setting);
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new IllegalArgumentException(setting + " must be an http or https URL, got: " + url);
        }
        if (url.getRawUserInfo() != null) throw new IllegalArgumentException(setting + " must not hold credentials; use the key file or variable");
        if (url.getRawQuery() != null || url.getRawFragment() != null) throw new IllegalArgumentException(setting + " must have no query or fragment, got: " + url);
        String s = url.toString();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return URI.create(s);
    }

    /**
     * Reads the settings from flags and environment: {@code option} maps a flag name without
     * dashes ({@code "vlm-model"}) to its value or null, {@code env} a variable's name to its
     * value or null. Empty when {@code --vlm-provider} is unset.
     *
     * @throws IllegalArgumentException naming the flag and variable of a wrong value, or a key given as a flag
     */
    public static Optional<ProviderSettings> from(Function<String, String> option, Function<String, String> env) {
        Function<String, String> value = lookup(option, env);
        if (option.apply("vlm-api-key") != null) {
            throw new IllegalArgumentException("the key is never a flag (flags show in process lists): set " + API_KEY_ENV + " or --vlm-api-key-file");
        }
        String provider = value.apply("vlm-provider");
        if (provider == null) {
            for (String flag : FLAGS) {
                if (value.apply(flag) != null) throw new IllegalArgumentException("--" + flag + " is set but --vlm-provider (LOUPE_VLM_PROVIDER) is not");
            }
            return Optional.empty();
        }
        Kind kind = Kind.named(provider);
        String url = Optional.ofNullable(value.apply("vlm-url")).orElse(kind.defaultUrl);
        URI base;
        try {
            base = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--vlm-url (LOUPE_VLM_URL) is not a URL: " + e.getMessage());
        }
        Optional<Secret> key = secret("vlm-api-key-file", API_KEY_ENV, option, env);
        CallPolicy calls = CallPolicy.DEFAULT
                .withTimeouts(seconds(value, "vlm-connect-timeout", CallPolicy.DEFAULT_CONNECT_TIMEOUT), seconds(value, "vlm-timeout", CallPolicy.DEFAULT_TIMEOUT))
                .withLimits(number(value, "vlm-concurrency", CallPolicy.DEFAULT_CONCURRENCY, 1, CallPolicy.MAX_CONCURRENCY),
                        number(value, "vlm-max-attempts", CallPolicy.DEFAULT_MAX_ATTEMPTS, 1, CallPolicy.MAX_MAX_ATTEMPTS));
        int side = number(value, "vlm-image-max-side", DEFAULT_IMAGE_MAX_SIDE, 64, MAX_IMAGE_SIDE);
        return Optional.of(new ProviderSettings(kind, base, value.apply("vlm-model"), key, side, calls));
    }

    /** A flag's value, else its variable's ({@code vlm-model} → {@code LOUPE_VLM_MODEL}), else null; blank counts as unset. */
    static Function<String, String> lookup(Function<String, String> option, Function<String, String> env) {
        return flag -> first(option.apply(flag), env.apply(envName(flag)));
    }

    static String envName(String flag) {
        return "LOUPE_" + flag.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static String first(String a, String b) {
        if (a != null && !a.isBlank()) return a;
        return b != null && !b.isBlank() ? b : null;
    }

    /** A key from its variable or from the file a flag (or its variable) names; both at once is an error, not a silent choice. */
    static Optional<Secret> secret(String fileFlag, String keyEnv, Function<String, String> option, Function<String, String> env) {
        String file = first(option.apply(fileFlag), env.apply(envName(fileFlag)));
        String inline = first(env.apply(keyEnv), null);
        if (file != null && inline != null) throw new IllegalArgumentException("both " + keyEnv + " and --" + fileFlag + " are set; keep one");
        if (inline != null) return Optional.of(keyFrom(inline.strip(), keyEnv));
        if (file == null) return Optional.empty();
        return Optional.of(readKeyFile(Path.of(file), "--" + fileFlag));
    }

    static Secret readKeyFile(Path path, String setting) {
        try {
            if (Files.size(path) > MAX_KEY_FILE_BYTES) throw new IllegalArgumentException(setting + " " + path + " is larger than " + MAX_KEY_FILE_BYTES + " bytes: is it the key?");
            return keyFrom(Files.readString(path, StandardCharsets.UTF_8).strip(), setting + " " + path);
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + " cannot be read: " + path + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Secret keyFrom(String value, String source) {
        try {
            return Secret.of(value);
        } catch (IllegalArgumentException e) {
            // The message names the source, never the value.
            throw new IllegalArgumentException(source + ": " + e.getMessage());
        }
    }

    static Duration seconds(Function<String, String> value, String flag, Duration fallback) {
        String v = value.apply(flag);
        if (v == null) return fallback;
        return Duration.ofSeconds(number(value, flag, 0, 1, (int) CallPolicy.MAX_TIMEOUT.toSeconds()));
    }

    static int number(Function<String, String> value, String flag, int fallback, int min, int max) {
        String v = value.apply(flag);
        if (v == null) return fallback;
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // reported below with the range
        }
        throw new IllegalArgumentException("--" + flag + " (" + envName(flag) + ") must be a whole number " + min + ".." + max + ", got: " + v);
    }

    /** {@code openai-compatible gpt-4o-mini at https://api.openai.com/v1}. */
    public String describe() {
        return kind.label + " " + model + " at " + baseUrl;
    }
}
