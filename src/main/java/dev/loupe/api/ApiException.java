package dev.loupe.api;

import java.util.Map;

/**
 * The one exception type that becomes an HTTP error, rendered in Mixpeek's shape:
 * {@code {"success": false, "status": 422, "error": {"message", "type", "details"}}}.
 * Domain code throws it with the status that describes the caller's mistake.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final Map<String, Object> details;

    public ApiException(int status, String type, String message, Map<String, Object> details) {
        super(message);
        this.status = status;
        this.type = type;
        this.details = details == null ? Map.of() : Map.copyOf(details);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequestError", message, null);
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(401, "AuthenticationError", message, null);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "PermissionError", message, null);
    }

    public static ApiException notFound(String what, String id) {
        return new ApiException(404, "NotFoundError", what + " not found: " + id, Map.of("resource", what, "identifier", id));
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, "ConflictError", message, null);
    }

    /** A request that parsed but whose field {@code field} is invalid. */
    public static ApiException invalid(String field, String message) {
        return new ApiException(422, "ValidationError", field + ": " + message, Map.of("field", field));
    }

    public static ApiException tooLarge(String message) {
        return new ApiException(413, "PayloadTooLargeError", message, null);
    }

    public static ApiException unavailable(String message) {
        return new ApiException(503, "ServiceUnavailableError", message, null);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public Map<String, Object> details() {
        return details;
    }
}
