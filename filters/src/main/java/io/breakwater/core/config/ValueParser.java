package io.breakwater.core.config;

/**
 * Turns the text of one parameter into a typed value; says what it accepts in words for messages and the README.
 * Implementations are immutable and thread-safe.
 */
public interface ValueParser<T> {

    /** Returns the value, or throws {@link IllegalArgumentException} (any message) when the text is not accepted. */
    T parse(String text);

    /** What is accepted, completing the sentence "&lt;name&gt; must be ...". */
    String accepted();
}
