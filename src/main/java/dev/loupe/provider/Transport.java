package dev.loupe.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * JSON over HTTPS to one provider, shared by every client in this package: at most
 * {@link CallPolicy#concurrency()} requests in flight (callers beyond that wait for a
 * permit, which is not held while backing off), each bounded by the connect timeout and a
 * whole-request deadline, and retried on 429, 5xx, timeouts and I/O errors with exponential
 * backoff and jitter, or after the provider's {@code Retry-After} (seconds or an HTTP date,
 * capped) when it sends one. Any other status fails at once with the provider's own error
 * message. The key is masked in every message that leaves this class.
 */
final class Transport implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Transport.class.getName());
    /** The largest reply read; a chat reply is a few kilobytes, an embedding about 30. */
    static final int MAX_REPLY_BYTES = 16 << 20;
    /** Characters of a provider's error body quoted in an exception. */
    private static final int QUOTED_ERROR_CHARS = 500;

    private final String provider;
    private final CallPolicy policy;
    private final HttpClient client;
    private final Semaphore permits;

    Transport(String provider, CallPolicy policy) {
        this.provider = provider;
        this.policy = policy;
        // HTTP/1.1: an h2c upgrade offer on plain http confuses some local servers, and concurrency comes from connections anyway.
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(policy.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.permits = new Semaphore(policy.concurrency(), true);
    }

    /** A parsed 2xx reply and the attempts it took. */
    record Response(JsonNode body, int attempts) {
    }

    /**
     * POSTs {@code body} as JSON. {@code headers} are the authentication headers: their values
     * (less a {@code Bearer } prefix) are masked in every message, should a provider echo them.
     */
    Response post(URI uri, Map<String, String> headers, JsonNode body) {
        List<String> secrets = headers.values().stream().map(v -> v.startsWith("Bearer ") ? v.substring(7) : v).filter(v -> !v.isBlank()).toList();
        byte[] payload = Json.write(body).getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(policy.timeout())
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
        headers.forEach(builder::header);
        HttpRequest request = builder.build();
        String last = "no attempt made";
        int lastStatus = 0;
        for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) {
            Optional<String> retryAfter = Optional.empty();
            acquire();
            try {
                HttpResponse<byte[]> response = exchange(request, secrets);
                int status = response.statusCode();
                if (status >= 200 && status < 300) return new Response(parse(status, response.body(), secrets), attempt);
                lastStatus = status;
                last = errorMessage(response.body(), secrets);
                if (status != 429 && status < 500) {
                    if (status >= 300 && status < 400) {
                        last = "redirected to " + response.headers().firstValue("Location").orElse("?") + "; configure the final URL (" + last + ")";
                    }
                    throw new ProviderException(provider, status, last, false);
                }
                retryAfter = response.headers().firstValue("Retry-After");
            } catch (Retryable e) {
                lastStatus = 0;
                last = e.getMessage();
            } finally {
                permits.release();
            }
            if (attempt == policy.maxAttempts()) break;
            Duration wait = delay(attempt, retryAfter, Instant.now(), policy, ThreadLocalRandom.current().nextDouble());
            String failed = (lastStatus > 0 ? "HTTP " + lastStatus + ": " : "") + last;
            LOG.log(Level.INFO, () -> provider + ": attempt failed (" + failed + "), retrying in " + wait.toMillis() + " ms");
            sleep(wait);
        }
        String reason = "gave up after " + policy.maxAttempts() + " attempt" + (policy.maxAttempts() == 1 ? "" : "s") + ": " + last;
        throw new ProviderException(provider, lastStatus, reason, true);
    }

    /** A failure worth another attempt: a timeout or a broken connection. */
    private static final class Retryable extends Exception {
        Retryable(String message) {
            super(message, null, false, false);
        }
    }

    private HttpResponse<byte[]> exchange(HttpRequest request, List<String> secrets) throws Retryable {
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request, info -> new Bounded(MAX_REPLY_BYTES));
        try {
            // HttpRequest.timeout ends at the response headers; this deadline covers the body too.
            return future.get(policy.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new Retryable("no complete reply within " + policy.timeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ProviderException(provider, "interrupted while waiting for the reply");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TooLarge) throw new ProviderException(provider, cause.getMessage());
            if (cause instanceof java.net.http.HttpTimeoutException) throw new Retryable("timed out: " + mask(cause.getMessage(), secrets));
            if (cause instanceof IOException) throw new Retryable("I/O error: " + mask(String.valueOf(cause.getMessage()), secrets));
            throw new ProviderException(provider, "request failed: " + mask(String.valueOf(cause), secrets));
        }
    }

    private void acquire() {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(provider, "interrupted while waiting for a free request slot");
        }
    }

    private void sleep(Duration wait) {
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(provider, "interrupted while backing off");
        }
    }

    private JsonNode parse(int status, byte[] body, List<String> secrets) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new ProviderException(provider, status, "answered with a body that is not JSON: " + quote(body, secrets), false);
        }
    }

    /** The provider's own words: OpenAI's and Gemini's {@code error.message}, Ollama's {@code error}, or the body itself. */
    private static String errorMessage(byte[] body, List<String> secrets) {
        try {
            JsonNode json = Json.MAPPER.readTree(body);
            JsonNode error = json.path("error");
            if (error.path("message").isTextual()) return cut(mask(error.path("message").asText(), secrets));
            if (error.isTextual()) return cut(mask(error.asText(), secrets));
            if (json.path("message").isTextual()) return cut(mask(json.path("message").asText(), secrets));
        } catch (IOException | RuntimeException e) {
            // not JSON: quote it as text
        }
        return quote(body, secrets);
    }

    private static String quote(byte[] body, List<String> secrets) {
        String text = new String(body, 0, Math.min(body.length, 64 * 1024), StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "(empty body)" : cut(mask(text, secrets));
    }

    private static String cut(String text) {
        return text.length() <= QUOTED_ERROR_CHARS ? text : text.substring(0, QUOTED_ERROR_CHARS) + "…";
    }

    /** Every secret replaced; done before cutting, which could otherwise leave a key's first characters behind. */
    private static String mask(String text, List<String> secrets) {
        String out = text;
        for (String s : secrets) out = out.replace(s, "[secret]");
        return out;
    }

    /**
     * The wait after failed attempt {@code attempt} (1-based): the provider's
     * {@code Retry-After} when it gave a usable one, at most {@link CallPolicy#maxRetryAfter()};
     * otherwise {@code initialBackoff × 2^(attempt-1)}, at most {@link CallPolicy#maxBackoff()},
     * scaled by a factor between 0.5 and 1 drawn from {@code random} (0..1), so callers that
     * failed together do not return together.
     */
    static Duration delay(int attempt, Optional<String> retryAfter, Instant now, CallPolicy policy, double random) {
        Optional<Duration> asked = retryAfter.flatMap(v -> retryAfter(v, now));
        if (asked.isPresent()) return asked.get().compareTo(policy.maxRetryAfter()) > 0 ? policy.maxRetryAfter() : asked.get();
        long base = policy.initialBackoff().toMillis();
        long exp = attempt >= 32 ? Long.MAX_VALUE : base << Math.min(attempt - 1, 30);
        long capped = Math.min(exp < 0 ? Long.MAX_VALUE : exp, policy.maxBackoff().toMillis());
        return Duration.ofMillis(Math.round(capped * (0.5 + 0.5 * random)));
    }

    /** {@code Retry-After} as delay-seconds or an HTTP date (RFC 9110 §10.2.3); empty when it is neither. */
    static Optional<Duration> retryAfter(String value, Instant now) {
        String v = value.strip();
        if (v.matches("\\d{1,10}")) return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(now, at);
            return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Aborts requests in flight rather than waiting out their timeouts: closing means the server is stopping. */
    @Override
    public void close() {
        client.shutdownNow();
    }

    private static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }

    /** Collects a body up to a bound and fails past it, rather than buffering whatever a server sends. */
    private static final class Bounded implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int limit;
        private Flow.Subscription subscription;

        Bounded(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) return;
            for (ByteBuffer b : items) {
                if ((long) out.size() + b.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge("the reply is larger than " + (limit >> 20) + " MiB"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}
