package dev.loupe.http;

import dev.loupe.api.LoupeException;
import java.util.Map;

/**
 * An error response in Mixpeek's shape:
 * {@code {"success": false, "status": 422, "error": {"message", "type", "details"}}}.
 * The one place where a domain refusal becomes an HTTP status and a Mixpeek error type.
 */
record ApiError(int status, String type, String message, Map<String, Object> details) {
    ApiError {
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    static ApiError of(LoupeException e) {
        return switch (e) {
            case LoupeException.Malformed m -> new ApiError(400, "BadRequestError", m.getMessage(), null);
            case LoupeException.Unauthenticated u -> new ApiError(401, "AuthenticationError", u.getMessage(), null);
            case LoupeException.Forbidden f -> new ApiError(403, "PermissionError", f.getMessage(), null);
            case LoupeException.NotFound n -> new ApiError(404, "NotFoundError", n.getMessage(),
                    Map.of("resource", n.resource(), "identifier", n.identifier()));
            case LoupeException.Conflict c -> new ApiError(409, "ConflictError", c.getMessage(), null);
            case LoupeException.TooLarge t -> new ApiError(413, "PayloadTooLargeError", t.getMessage(), null);
            case LoupeException.Invalid i -> new ApiError(422, "ValidationError", i.getMessage(), Map.of("field", i.field()));
            case LoupeException.Unavailable u -> new ApiError(503, "ServiceUnavailableError", u.getMessage(), null);
            case LoupeException.RateLimited r -> new ApiError(429, "RateLimitError", r.getMessage(),
                    Map.of("retry_after_seconds", r.retryAfterSeconds()));
        };
    }

    /** Mixpeek's error type for a status Javalin raised itself (an unknown route, a body over the limit). */
    static ApiError ofStatus(int status, String message) {
        String type = switch (status) {
            case 400 -> "BadRequestError";
            case 401 -> "AuthenticationError";
            case 403 -> "PermissionError";
            case 404 -> "NotFoundError";
            case 405 -> "MethodNotAllowedError";
            case 409 -> "ConflictError";
            case 413 -> "PayloadTooLargeError";
            case 422 -> "ValidationError";
            case 429 -> "RateLimitError";
            case 503 -> "ServiceUnavailableError";
            default -> status >= 500 ? "InternalServerError" : "BadRequestError";
        };
        return new ApiError(status, type, message, null);
    }
}
