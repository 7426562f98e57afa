package io.breakwater.sample.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTPS keystore is opened before the server starts, and each thing wrong with it is one line. */
class TlsKeystoreTest {
    @TempDir
    Path dir;

    private String refusal(Path keystore, Path passwordFile) {
        return assertThrows(IllegalArgumentException.class, () -> TlsKeystore.open(keystore, passwordFile))
                .getMessage();
    }

    @Test
    void opensAKeystoreMadeByKeytool() throws Exception {
        Path keystore = TestKeystores.keystore(dir);
        assertNotNull(TlsKeystore.open(keystore, TestKeystores.passwordFile(dir, TestKeystores.PASSWORD))
                .sslContextFactory());
    }

    @Test
    void wrongPasswordIsOneLine() throws Exception {
        Path keystore = TestKeystores.keystore(dir);
        assertEquals("--tls-password-file must hold the password of --tls-keystore, but it did not open \""
                + keystore + "\"", refusal(keystore, TestKeystores.passwordFile(dir, "wrong")));
    }

    @Test
    void aFileThatIsNoKeystoreIsOneLine() throws Exception {
        Path notOne = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n");
        assertEquals("--tls-keystore must be a PKCS12 keystore with a private key and its certificate, but \""
                + notOne + "\" is not one", refusal(notOne, TestKeystores.passwordFile(dir, TestKeystores.PASSWORD)));
    }

    @Test
    void aKeystoreWithoutAPrivateKeyIsOneLine() throws Exception {
        Path certificateOnly = TestKeystores.certificateOnly(TestKeystores.keystore(dir));
        assertEquals("--tls-keystore must be a PKCS12 keystore with a private key and its certificate, but \""
                + certificateOnly + "\" holds no private key",
                refusal(certificateOnly, TestKeystores.passwordFile(dir, TestKeystores.PASSWORD)));
    }

    @Test
    void aKeyLockedByAnotherPasswordIsOneLine() throws Exception {
        Path keystore = TestKeystores.withKeyPassword(TestKeystores.keystore(dir), "another-password");
        assertEquals("--tls-keystore must be a PKCS12 keystore with a private key and its certificate, but \""
                + keystore + "\" has a key (\"sample\") that the keystore's password does not open",
                refusal(keystore, TestKeystores.passwordFile(dir, TestKeystores.PASSWORD)));
    }

    @Test
    void anExpiredCertificateIsOneLine() throws Exception {
        Path keystore = TestKeystores.keystore(dir, "expired.p12", "-10d", 1);
        String message = refusal(keystore, TestKeystores.passwordFile(dir, TestKeystores.PASSWORD));
        String prefix = "--tls-keystore must be a PKCS12 keystore with a private key and its certificate, but \""
                + keystore + "\" has a certificate (\"sample\") that expired on ";
        assertEquals(prefix, message.substring(0, Math.min(prefix.length(), message.length())), message);
    }
}
