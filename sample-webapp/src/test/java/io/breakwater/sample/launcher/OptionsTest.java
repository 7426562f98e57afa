package io.breakwater.sample.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.proxy.balance.internal.BackendSpec;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample's options: each bad value is one line in the parameters' grammar; the defaults are the usage's. */
class OptionsTest {
    private static final String BACKENDS_ACCEPTED = "--backends must be " + BackendSpec.ACCEPTED + ", but ";

    private static String refusal(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> Options.parse(args)).getMessage();
    }

    @Test
    void defaultsAreTheOnesTheUsageNames() {
        Options options = Options.parse();
        assertEquals(8080, options.port);
        assertEquals(9010, options.jmxPort);
        assertNull(options.jmxPasswordFile);
        assertEquals(List.of(), options.backends);
        assertEquals(Duration.ofSeconds(30), options.grace);
        assertEquals(Duration.ZERO, options.drainDelay);
        assertFalse(options.help);
        assertEquals(Options.HTTPS_OFF, options.httpsPort);
        assertNull(options.tlsKeystore);
        assertNull(options.tlsPasswordFile);
        assertFalse(options.redirectHttp);
        for (String option : List.of("--port N ", "--https-port N ", "--tls-keystore PATH ",
                "--tls-password-file PATH ", "--redirect-http ", "--backends URL,URL,... ", "--jmx-port N|off ",
                "--jmx-password-file PATH ", "--grace DURATION ", "--drain-delay DURATION ", "-h, --help ")) {
            assertTrue(Options.USAGE.contains("\n  " + option), option + " in\n" + Options.USAGE);
        }
        assertEquals(10, Options.USAGE.split("\\(default", -1).length - 1, Options.USAGE);
        for (String shown : List.of("(default 8080)", "(default: three embedded demo backends)", "(default 9010)",
                "(default: none, any local user connects)", "(default 30s)", "(default 0)",
                "(default: none)", "(default: off)")) {
            assertTrue(Options.USAGE.contains(shown), shown + " in\n" + Options.USAGE);
        }
    }

    @Test
    void helpAsksForTheUsageWhateverElseIsGiven() {
        assertTrue(Options.parse("--help").help);
        assertTrue(Options.parse("--port", "1", "-h", "--bogus").help);
    }

    @Test
    void backendsAreReadByTheProxysOwnParserWeightsIncluded() {
        Options options = Options.parse("--backends", "http://127.0.0.1:8081;weight=3,https://api.example");
        assertEquals(List.of(new BackendSpec(URI.create("http://127.0.0.1:8081"), 3),
                new BackendSpec(URI.create("https://api.example:443"), 1)), options.backends);
        assertEquals("http://127.0.0.1:8081;weight=3,https://api.example:443",
                Options.backendsParameter(options.backends));
    }

    @Test
    void badBackendsAreRefusedInOneLine() {
        for (String bad : List.of("http://h:1/path", "http://h:1?q=1", "http://u:p@h:1", "http://h:1#f", ",",
                "http://h:99999", "http://h:0", "ftp://h:1", "http://h:1;weight=0")) {
            assertEquals(BACKENDS_ACCEPTED + "was \"" + bad + "\"", refusal("--backends", bad));
        }
        assertEquals(BACKENDS_ACCEPTED + "listed \"http://h:80\" twice", refusal("--backends", "http://h,http://h:80"));
    }

    @Test
    void jmxPortTakesOffAndOneTo65535() {
        assertEquals(Options.JMX_OFF, Options.parse("--jmx-port", "off").jmxPort);
        assertEquals(1, Options.parse("--jmx-port", "1").jmxPort);
        for (String bad : List.of("0", "65536", "none")) {
            assertEquals("--jmx-port must be a port number between 1 and 65535, or off, but was \"" + bad + "\"",
                    refusal("--jmx-port", bad));
        }
    }

    @Test
    void jmxPasswordFileMustBeReadableAndNeedsJmx(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("jmx.password"), "operator secret\n");
        assertEquals(file, Options.parse("--jmx-password-file", file.toString()).jmxPasswordFile);
        String missing = dir.resolve("missing").toString();
        assertEquals("--jmx-password-file must be a readable file, but was \"" + missing + "\"",
                refusal("--jmx-password-file", missing));
        assertEquals("--jmx-password-file must be a readable file, but was \"" + dir + "\"",
                refusal("--jmx-password-file", dir.toString()));
        assertEquals("--jmx-password-file needs JMX on, but --jmx-port was \"off\"",
                refusal("--jmx-password-file", file.toString(), "--jmx-port", "off"));
    }

    @Test
    void portsDurationsAndMissingValuesAreRefusedInOneLine() {
        assertEquals("--port must be a port number between 0 and 65535, but was \"65536\"",
                refusal("--port", "65536"));
        assertEquals("--grace must be a duration between 1s and 1h, but was \"5 parsecs\"",
                refusal("--grace", "5 parsecs"));
        assertEquals("--backends needs a value", refusal("--backends"));
    }

    @Test
    void httpsTakesAKeystoreAndItsPasswordFileTogether(@TempDir Path dir) throws Exception {
        Path keystore = Files.writeString(dir.resolve("sample.p12"), "not read here");
        Path password = Files.writeString(dir.resolve("password"), "secret\n");
        Options options = Options.parse("--https-port", "8443", "--tls-keystore", keystore.toString(),
                "--tls-password-file", password.toString(), "--redirect-http");
        assertEquals(8443, options.httpsPort);
        assertEquals(keystore, options.tlsKeystore);
        assertEquals(password, options.tlsPasswordFile);
        assertTrue(options.redirectHttp);
        assertEquals("--https-port needs --tls-keystore and --tls-password-file, but --tls-keystore was not given",
                refusal("--https-port", "8443", "--tls-password-file", password.toString()));
        assertEquals("--https-port needs --tls-keystore and --tls-password-file, but --tls-password-file was not"
                + " given", refusal("--https-port", "8443", "--tls-keystore", keystore.toString()));
        assertEquals("--tls-keystore needs HTTPS on, but --https-port was not given",
                refusal("--tls-keystore", keystore.toString()));
        assertEquals("--redirect-http needs HTTPS on, but --https-port was not given", refusal("--redirect-http"));
        assertEquals("--https-port must be a port number between 0 and 65535, but was \"-1\"",
                refusal("--https-port", "-1"));
        String missing = dir.resolve("missing.p12").toString();
        assertEquals("--tls-keystore must be a readable file, but was \"" + missing + "\"",
                refusal("--tls-keystore", missing));
        assertEquals("unknown option --tls-cert (PEM files are not read: make a PKCS12 keystore of them, see the"
                + " README's HTTPS section)", refusal("--tls-cert", "cert.pem"));
    }
}
