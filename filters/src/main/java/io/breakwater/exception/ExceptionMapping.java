package io.breakwater.exception;

import io.breakwater.core.config.Parsers;
import io.breakwater.core.config.ValueParser;
import io.breakwater.core.error.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * An app's own mapping of an exception type to a status and code, read from {@code exceptionMappings} as
 * {@code com.example.NotFoundException=404:NOT_FOUND}. Immutable.
 */
public final class ExceptionMapping {
    private final Class<? extends Throwable> type;
    private final ErrorCode errorCode;

    ExceptionMapping(Class<? extends Throwable> type, ErrorCode errorCode) {
        this.type = type;
        this.errorCode = errorCode;
    }

    public Class<? extends Throwable> type() {
        return type;
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    boolean matches(Throwable failure) {
        return type.isInstance(failure);
    }

    /** The parser of the whole list; class names are loaded with the thread's context class loader. */
    static ValueParser<List<ExceptionMapping>> parser() {
        String accepted = "a comma-separated list of exception-class=status:CODE, with a status from 400 to 599"
                + " and a CODE of upper-case letters, digits and _";
        return Parsers.parser(accepted, text -> {
            List<ExceptionMapping> mappings = new ArrayList<>();
            for (String item : Parsers.list().parse(text)) {
                mappings.add(parseOne(item));
            }
            return List.copyOf(mappings);
        });
    }

    private static ExceptionMapping parseOne(String item) {
        int eq = item.indexOf('=');
        int colon = item.indexOf(':', eq + 1);
        if (eq <= 0 || colon < 0) {
            throw new IllegalArgumentException(item);
        }
        String className = item.substring(0, eq).trim();
        int status = Integer.parseInt(item.substring(eq + 1, colon).trim());
        String code = item.substring(colon + 1).trim();
        Class<?> type;
        try {
            type = Class.forName(className, false, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException(className, e);
        }
        if (!Throwable.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(className);
        }
        String message = code.charAt(0) + code.substring(1).toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        return new ExceptionMapping(type.asSubclass(Throwable.class), new ErrorCode(code, status, message));
    }
}
