package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registration without filter entries in web.xml: the jar's ServletContainerInitializer builds the chain. */
class InitializerIT {
    private static final String WEB_XML_WITHOUT_FILTERS = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"6.0\">\n"
            + "  <servlet><servlet-name>fail</servlet-name>"
            + "<servlet-class>io.breakwater.sample.demo.FailServlet</servlet-class></servlet>\n"
            + "  <servlet-mapping><servlet-name>fail</servlet-name><url-pattern>/demo/fail</url-pattern>"
            + "</servlet-mapping>\n"
            + "</web-app>\n";

    @TempDir
    Path dir;

    @Test
    void autoRegisterPutsTheChainInFrontWithoutWebXmlEntries() throws Exception {
        Path webapp = explodedSampleWithWebXml(WEB_XML_WITHOUT_FILTERS);
        try (SampleWar app = SampleWar.deploy(webapp.toString(), Map.of("breakwater.autoRegister", "true"))) {
            HttpResponse<String> response = app.get("/demo/fail");

            assertEquals(500, response.statusCode());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(response.body().contains("\"code\":\"INTERNAL_ERROR\""), response.body());
            assertTrue(app.servletContext().getFilterRegistration("ExceptionHandlingFilter") != null);
        }
    }

    @Test
    void withoutAutoRegisterNothingIsAdded() throws Exception {
        Path webapp = explodedSampleWithWebXml(WEB_XML_WITHOUT_FILTERS);
        try (SampleWar app = SampleWar.deploy(webapp.toString(), Map.of())) {
            assertEquals(null, app.servletContext().getFilterRegistration("ExceptionHandlingFilter"));
        }
    }

    @Test
    void badAutoRegisterValueFailsTheDeployment() throws Exception {
        Path webapp = explodedSampleWithWebXml(WEB_XML_WITHOUT_FILTERS);
        Exception failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> SampleWar.deploy(webapp.toString(), Map.of("breakwater.autoRegister", "yes")).close());
        assertEquals("autoRegister must be true or false, but was \"yes\"", ExceptionHandlingIT.rootMessage(failure));
    }

    private Path explodedSampleWithWebXml(String webXml) throws IOException {
        Path root = dir.resolve("webapp");
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(SampleWar.warFile()))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                Path target = root.resolve(entry.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IOException("bad entry " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    copy(zip, target);
                }
            }
        }
        Files.writeString(root.resolve("WEB-INF/web.xml"), webXml);
        return root;
    }

    private static void copy(InputStream in, Path target) throws IOException {
        Files.write(target, in.readAllBytes());
    }
}
